"""Evidence sentences: from the top passages, the few sentences that answer the question.

Every sentence of the top retrieved passages (`evidence.passages`, more than a model can read
whole), and every pair of adjacent sentences (an answer spread over two), is scored against
the question:

    words     the question's rarer words it holds (rag.search.rerank.Relevance), over the best's
    meaning   its cosine to the question (the index's embedder; sentences embedded at query time)
    kind      it gives the kind of answer asked: a number, a date, a name, a place (rag.answer.asks)
    rank      a little less for each retrieval rank below the first

    period    it was said in a period the question names (a year in "by the end of 2018" may
              be what was said, not when: a bonus, not a rule)

Sentences of a named speaker come first, then those holding a word of the question.
The best few, not overlapping or repeating one another and at most two from one passage, become
the numbered sources that the model reads and the answer quotes, while they fit the prompt's
token budget. How close the best sentence is to the question (`Selection.strength`) decides
refusals on weak evidence.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from rag.answer.asks import gives
from rag.answer.prompt import format_evidence
from rag.answer.records import Source
from rag.config import EvidenceSettings
from rag.filters import Filters
from rag.models.embedder import Embedder
from rag.records import Passage
from rag.search.rerank import Relevance
from rag.text.normalize import normalize
from rag.text.sentences import sentence_spans


@dataclass
class Unit:
    """A candidate: sentences first..last of the passage at `rank` (0 = best), and what its
    score is made of."""

    passage: Passage
    rank: int
    first: int
    last: int
    start: int
    end: int
    words: float = 0.0      # the question's rarer words held, over the best candidate's
    meaning: float = 0.0    # cosine to the question (of its closer sentence, for a pair)
    kind: bool = False      # gives the kind of answer asked
    facet: bool = False     # by a speaker the question names
    period: bool = False    # in a period the question names (by its speaker, if it names one)
    score: float = 0.0
    sentences: frozenset[str] = frozenset()   # its sentences, normalised: repeats are skipped

    @property
    def text(self) -> str:
        return self.passage.text[self.start:self.end]

    def weigh(self, o: EvidenceSettings) -> float:
        return (o.words * self.words + o.meaning * self.meaning + o.kind * self.kind
                + o.period * self.period - o.rank * self.rank
                - (o.pair if self.last > self.first else 0.0))


@dataclass
class Selection:
    """The chosen evidence, best first, and the best sentence's cosine to the question."""

    sources: list[Source]
    strength: float


class Selector:
    """Chooses evidence sentences under `options`, embedding with `embedder` and counting
    prompt tokens with `count_tokens` (the model's tokenizer once it is loaded)."""

    def __init__(self, options: EvidenceSettings, embedder: Callable[[], Embedder],
                 count_tokens: Callable[[str], int]) -> None:
        self.options = options
        self.embedder = embedder
        self.count_tokens = count_tokens

    def candidates(self, question: str, passages: Sequence[Passage], kind: str = "",
                   facets: Sequence[Filters] = ()) -> list[Unit]:
        """Every sentence and adjacent pair of the top `passages`, with its score's parts."""
        o = self.options
        passages = list(passages[:o.passages])
        spans = [sentence_spans(p.text) for p in passages]
        units = [Unit(passages[r], r, i, j, spans[r][i][0], spans[r][j][1],
                      sentences=frozenset(normalize(passages[r].text[slice(*spans[r][n])])
                                          for n in range(i, j + 1)))
                 for r in range(len(passages)) for i in range(len(spans[r]))
                 for j in (i, i + 1) if j < len(spans[r])]
        units = [u for u in units if u.first == u.last or len(u.text.split()) <= o.max_words]
        if not units:
            return []
        singles = [u for u in units if u.first == u.last]
        vectors = self.embedder().encode([question] + [u.text for u in singles], batch_size=16)
        cosine = {(u.rank, u.first): float(x) for u, x in zip(singles, vectors[1:] @ vectors[0])}
        relevance = Relevance(question, [p.text for p in passages])
        words = np.array([relevance.score(u.text) for u in units])
        words = words / words.max() if words.max() > 0 else words
        for u, w in zip(units, words):
            u.words = float(w)
            u.meaning = max(cosine[(u.rank, i)] for i in range(u.first, u.last + 1))
            u.kind = bool(kind) and gives(kind, u.text)
            u.facet = any(u.passage.speaker in f.speakers for f in facets)
            u.period = any(f.admits(u.passage) for f in facets if f.date_from or f.date_to)
        return units

    def select(self, question: str, passages: Sequence[Passage], kind: str = "",
               facets: Sequence[Filters] = (), limit: int | None = None,
               first_marker: int = 1) -> Selection:
        """At most `limit` evidence sentences (or pairs) for `question` from `passages`
        (best first), numbered from `first_marker`; `kind` is the answer asked for and
        `facets` the speakers and periods the question names."""
        units = self.candidates(question, passages, kind, facets)
        for u in units:
            u.score = u.weigh(self.options)
        chosen = self.choose(units, limit or self.options.sentences, first_marker)
        return Selection(chosen, max((u.meaning for u in units), default=0.0))

    def choose(self, units: Sequence[Unit], limit: int, first_marker: int) -> list[Source]:
        """The best-scored units, not overlapping or repeating one another, at most two of one
        passage, within the token budget, as sources numbered from `first_marker`."""
        chosen: list[Source] = []
        taken: list[Unit] = []
        seen: set[str] = set()
        used = 0
        # a sentence of the speaker the question names first (as in rerank: "What did
        # Sullivan say" is not answered by another official), then one holding a word of the
        # question; the score orders the rest
        for u in sorted(units, key=lambda u: (not u.facet, u.words == 0, -u.score)):
            if len(chosen) == limit:
                break
            own = u.sentences
            if seen & own or sum(t.rank == u.rank for t in taken) >= 2 or any(
                    t.rank == u.rank and t.first <= u.last and u.first <= t.last for t in taken):
                continue
            source = Source(first_marker + len(chosen), u.passage, u.text, u.start)
            cost = self.count_tokens(format_evidence(source))
            if chosen and used + cost > self.options.budget_tokens:
                continue
            chosen.append(source)
            taken.append(u)
            seen |= own
            used += cost
        return chosen
