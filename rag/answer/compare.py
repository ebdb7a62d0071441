"""Comparing statements: what two or more speakers said on one topic, or what was said in two
periods ("How did Kirby's numbers in January compare with May?"), side by side and over time.

`compare` searches once per side (a hard speaker or period filter each), numbers the passages
of all sides in one list, and has the model answer for each side from that side's passages
alone (one short generation per side, under the side's label): a 1.5B model shown both sides at
once put one official's words in the other's mouth. Each side's relevant passages that its
reply leaves uncited follow it as dated quotes (all of them when the reply cites none), so
every side's statements are shown and cited. A period's side is searched across the
period's briefings (`Retriever.search(across_briefings=True)`).
`timeline` lists each speaker's matching statements in date order.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from itertools import zip_longest
from typing import Callable, Iterator, Sequence

from rag.search import hints as query
from rag.answer.answerer import Answer, Answerer, Event, Part, Source, without_names
from rag.config import Settings
from rag.filters import Filters
from rag.models.generate import Generator
from rag.records import Passage
from rag.search.rerank import Relevance, excerpt_bounds
from rag.search.retriever import Retriever


@dataclass
class Side:
    """One side of a comparison: its label, the filter its search runs under, and what the
    model is asked to say of it."""

    label: str
    filters: Filters
    said: str   # "what Lu Kang said", "what was said in May 2024"
    # A period's side speaks for the whole period: its passages come from as many of the
    # period's briefings as rank, not from its busiest day alone.
    across_briefings: bool = False


def speaker_sides(speakers: Sequence[str], filters: Filters | None = None) -> list[Side]:
    """One side per speaker, each within the caller's `filters`."""
    filters = filters or Filters()
    return [Side(name, filters.narrowed(Filters(speakers=[name])) or Filters(speakers=[name]),
                 f"what {name} said") for name in dict.fromkeys(speakers)]


def period_sides(periods: Sequence[query.Period], filters: Filters | None = None) -> list[Side]:
    """One side per period, each within the caller's `filters` (its speakers, say)."""
    filters = filters or Filters()
    who = " and ".join(filters.speakers) if filters.speakers else "was"
    sides = []
    for first, last in periods:
        narrowed = filters.narrowed(Filters(date_from=first, date_to=last))
        if narrowed is not None:
            label = query.period_label((first, last))
            sides.append(Side(label, narrowed, f"what {who} said in {label}",
                              across_briefings=True))
    return sides


# Words that make a question naming two periods a comparison of them, not a date range.
_COMPARING = re.compile(r"\b(?:compar\w*|differ\w*|chang\w*|shift\w*|evolv\w*|move[ds]?|"
                        r"versus|vs|than|both|each)\b", re.I)


def sides_in(question: str, known_speakers: Sequence[str],
             filters: Filters) -> tuple[list[Side], str | None]:
    """The sides a question compares, and the topic each side is searched for: two or more
    known speakers it names (unless the caller picked speakers), else two or more periods in
    a comparing question ("How did Kirby's numbers in January compare with May?") unless the
    caller fixed the dates. ([], None) when it is not a comparison."""
    hints = query.infer(question, list(known_speakers))
    if len(hints.speakers) >= 2 and not filters.speakers:
        return speaker_sides(hints.speakers, filters), None
    if (len(hints.periods) >= 2 and _COMPARING.search(hints.remainder)
            and not (filters.date_from or filters.date_to)):
        within = filters.narrowed(Filters(speakers=hints.speakers)) if hints.speakers else filters
        sides = period_sides(hints.periods, within) if within is not None else []
        if len(sides) >= 2:
            return sides, hints.remainder
    return [], None


@dataclass
class Comparison:
    """The comparison answer; its sources are the sides' excerpts, numbered across sides."""

    topic: str
    answer: Answer

    @property
    def sides(self) -> dict[str, list[Source]]:
        """Each side's excerpts (dates and titles on their passages), in rank order."""
        by_marker = {s.marker: s for s in self.answer.sources}
        return {label: [by_marker[m] for m in markers]
                for label, markers in self.answer.sides.items()}


@dataclass
class Statement:
    """One entry of a timeline: a speaker's matching passage and its most relevant words."""

    speaker: str
    date: str
    excerpt: str        # exact slice of passage.text
    passage: Passage
    similarity: float   # to the topic, as the answer layer's evidence measure

    def as_dict(self) -> dict:
        p = self.passage
        return {"speaker": self.speaker, "date": self.date, "title": p.title,
                "source": p.location, "excerpt": self.excerpt, "text": p.text,
                "similarity": round(self.similarity, 4)}


def stream(answerer: Answerer, question: str, sides: Sequence[Side],
           filters: Filters | None = None, query_text: str | None = None, topic: str | None = None,
           no_llm: bool = False, started: float | None = None) -> Iterator[Event]:
    """Events of a comparison answer (as Answerer.stream): one search per side for `topic`
    (default: the question without the sides' speaker names), passages numbered across sides,
    every side cited in the final answer."""
    started = started if started is not None else time.perf_counter()
    if not no_llm:
        answerer.generator()  # loaded first: select() counts tokens with the model's tokenizer
    query_text = query_text or question
    speakers = [name for side in sides for name in side.filters.speakers]
    topic = topic or without_names(query_text, speakers)
    options = answerer.options
    chosen: list[list[Source]] = []
    rankings: list[list[Passage]] = []
    retrieve_ms = 0.0
    for side in sides:
        retrieval = answerer.retriever.search(topic, k=int(options.k), filters=side.filters,
                                              across_briefings=side.across_briefings)
        retrieve_ms += retrieval.timings["retrieve_ms"]
        rankings.append(retrieval.passages)
        first = 1 + sum(len(c) for c in chosen)
        chosen.append(answerer.select(retrieval.topic, retrieval.passages,
                                      limit=int(options.compare_per_side),
                                      max_words=int(options.compare_passage_words),
                                      first_marker=first))
    sources = [s for side in chosen for s in side]
    # the sides' rankings interleaved, so any top k holds the best of every side
    retrieved = list({p.id: p for rank in zip_longest(*rankings) for p in rank
                      if p is not None}.values())
    answer = Answer(question=question, query=query_text, sources=sources, retrieved=retrieved,
                    kind="compare", filters=filters or Filters(),
                    hints=Filters(speakers=list(dict.fromkeys(speakers))),
                    sides={side.label: [s.marker for s in c] for side, c in zip(sides, chosen)},
                    timings={"retrieve_ms": retrieve_ms})
    # One answer per side, each read from that side's passages only; set side by side.
    parts = [Part(side_sources, f"Answer only with {side.said}, in one or two short sentences, "
                  "each with its passage number.", side.label)
             for side, side_sources in zip(sides, chosen)]
    yield from answerer.complete(answer, sources, started, no_llm=no_llm, parts=parts)


def compare(topic: str, speakers: Sequence[str], retriever: Retriever,
            generator: Generator | None = None, filters: Filters | None = None,
            no_llm: bool = False, settings: Settings | None = None,
            on_event: Callable[[Event], None] | None = None) -> Comparison:
    """Compare what `speakers` said about `topic` (a phrase or a whole question)."""
    answerer = Answerer(retriever, generator, settings)
    question = topic if topic.rstrip().endswith("?") else (
        f"What did {' and '.join(speakers)} say about {topic}?")
    final = None
    for event in stream(answerer, question, speaker_sides(speakers, filters), filters,
                        no_llm=no_llm):
        if on_event:
            on_event(event)
        final = event.answer
    return Comparison(topic, final)


def timeline(topic: str, speakers: Sequence[str], retriever: Retriever,
             filters: Filters | None = None, k: int | None = None,
             settings: Settings | None = None) -> list[Statement]:
    """Each speaker's statements matching `topic`, all in date order (then by speaker).

    A statement counts when its similarity to the topic reaches answer.min_evidence."""
    answerer = Answerer(retriever, settings=settings)
    options = answerer.options
    filters = filters or Filters()
    speakers = list(dict.fromkeys(speakers))
    text = without_names(topic, speakers)
    statements: list[Statement] = []
    for speaker in speakers:
        side = speaker_sides([speaker], filters)[0]
        passages = answerer.retriever.search(text, k=int(k or options.timeline_k),
                                             filters=side.filters).passages
        relevance = Relevance(text, [p.text for p in passages])
        sources = [Source(0, p, p.text[a:b], a) for p in passages
                   for a, b in [excerpt_bounds(p.text, relevance, int(options.timeline_words))]]
        for source, similarity in zip(sources, answerer.similarities(text, sources)):
            if similarity >= float(options.min_evidence):
                statements.append(Statement(speaker, source.passage.date, source.text,
                                            source.passage, float(similarity)))
    statements.sort(key=lambda s: (s.date, speakers.index(s.speaker), s.passage.turn_order))
    return statements
