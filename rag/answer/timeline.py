"""Timelines: every briefing in which a speaker spoke on a topic, over the whole period.

Built from the search indexes alone, with no model and one embedding (the topic's): a passage
of the speaker's is a statement on the topic when its vector in the dense index is at least
answer.timeline_min_similarity from the topic's and its own words hold one of the topic's
(an indexed vector also holds the journalist's question, which can carry a short aside
"But here's the thing —" close to any topic). The statements are grouped per briefing: one
mark per briefing, labelled with its closest statement's most relevant words, so a speaker
who spoke on the topic in 27 briefings over a year has 27 marks, not the 8 best passages.
`summarize` says when each speaker's statements start, peak and stop.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Sequence

from rag.answer.followup import without_names
from rag.answer.sides import speaker_sides
from rag.config import AnswerSettings, Settings
from rag.filters import Filters
from rag.records import Passage
from rag.search.rerank import Relevance, excerpt_bounds
from rag.search.retriever import Retriever


@dataclass
class TimelineMark:
    """One briefing of a timeline: a speaker's closest statement there on the topic."""

    speaker: str
    date: str
    excerpt: str        # exact slice of passage.text, from `start`
    start: int
    passage: Passage    # the briefing's statement closest to the topic
    similarity: float   # its cosine to the topic (the mark's relevance)
    matches: int        # the speaker's statements on the topic in this briefing

    @property
    def span(self) -> tuple[int, int]:
        """The excerpt's offsets in passage.text."""
        return self.start, self.start + len(self.excerpt)

    @property
    def month(self) -> str:
        return self.date[:7]

    def as_dict(self) -> dict:
        p = self.passage
        return {"speaker": self.speaker, "date": self.date, "title": p.title,
                "source": p.location, "briefing_id": p.briefing_id, "turn": p.turn_order,
                "passage_id": p.id, "excerpt": self.excerpt, "start": self.start,
                "end": self.span[1], "text": p.text, "similarity": round(self.similarity, 4),
                "matches": self.matches}


def timeline(topic: str, speakers: Sequence[str], retriever: Retriever, settings: Settings,
             filters: Filters | None = None) -> list[TimelineMark]:
    """One mark per briefing in which one of `speakers` spoke on `topic` (within `filters`),
    in date order, then in the order of `speakers`."""
    options = settings.answer
    speakers = list(dict.fromkeys(speakers))
    text = without_names(topic, speakers) or topic
    vector = retriever.embed_query(text)
    dense, store = retriever.index.dense(), retriever.index.store
    marks: list[TimelineMark] = []
    for side in speaker_sides(speakers, filters):
        # A filtered dense search scores every allowed vector exactly: the speaker's closest
        # passages, as many as pass the bar.
        close = [(pid, score) for pid, score in
                 dense.search(vector, options.timeline_most_passages,
                              retriever.index.allowed(side.filters))
                 if score >= options.timeline_min_similarity]
        cosine = dict(close)
        marks += _briefing_marks(side.label, text, store.passages([pid for pid, _ in close]),
                                 cosine, options)
    marks.sort(key=lambda m: (m.date, speakers.index(m.speaker), m.passage.turn_order))
    return marks


def _briefing_marks(speaker: str, topic: str, passages: Sequence[Passage],
                    cosine: dict[int, float], options: AnswerSettings) -> list[TimelineMark]:
    """One speaker's marks: their statements among `passages` (closest first), one per
    briefing, without repeating an excerpt."""
    relevance = Relevance(topic, [p.text for p in passages])
    if relevance.wanted:  # a topic of question words only has no word to look for
        passages = [p for p in passages if relevance.best_window(p.text) > 0]
    by_briefing: dict[str, list[Passage]] = defaultdict(list)
    for p in passages:
        by_briefing[p.briefing_id].append(p)
    marks: list[TimelineMark] = []
    seen: set[str] = set()
    # Closest first, so that of two briefings holding the same words (one conference
    # published twice) the closer is kept.
    for group in sorted(by_briefing.values(), key=lambda g: -cosine[g[0].id]):
        best = group[0]
        a, b = excerpt_bounds(best.text, relevance, options.timeline_words)
        words = " ".join(best.text[a:b].lower().split())
        if words in seen:
            continue
        seen.add(words)
        marks.append(TimelineMark(speaker, best.date, best.text[a:b], a, best,
                                  cosine[best.id], len(group)))
    return marks


@dataclass(frozen=True)
class SpeakerSpan:
    """When one speaker's statements on a topic start, peak and stop."""

    speaker: str
    briefings: int
    first: str          # months, YYYY-MM
    last: str
    peak: str           # the month with most briefings (the earliest of a tie)
    peak_briefings: int

    def line(self) -> str:
        """"Xu Weiran: 14 briefings from 2031-01 to 2031-11, most in 2031-05 (4)"."""
        count = f"{self.briefings} briefing{'s' if self.briefings != 1 else ''}"
        if self.first == self.last:
            return f"{self.speaker}: {count} in {self.first}"
        return (f"{self.speaker}: {count} from {self.first} to {self.last}, "
                f"most in {self.peak} ({self.peak_briefings})")


def summarize(marks: Sequence[TimelineMark], speakers: Sequence[str] = ()) -> list[SpeakerSpan]:
    """Each speaker's span, in the order of `speakers`, then of their first mark; a speaker
    without marks has none."""
    months: dict[str, Counter[str]] = {}
    for m in sorted(marks, key=lambda m: m.date):
        months.setdefault(m.speaker, Counter())[m.month] += 1
    order = [s for s in dict.fromkeys([*speakers, *months]) if s in months]
    spans = []
    for speaker in order:
        counts = months[speaker]
        peak = max(sorted(counts), key=lambda month: counts[month])
        spans.append(SpeakerSpan(speaker, sum(counts.values()), min(counts), max(counts),
                                 peak, counts[peak]))
    return spans
