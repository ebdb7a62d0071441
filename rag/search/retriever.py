"""The retriever: a question -> the k best passages, hybrid and filtered.

Components (each testable alone): keyword search and dense search, from the index's backend
(FTS5 and FAISS, or PostgreSQL's tsvector and pgvector: rag.store), the question's hints (speakers and dates it names: the
caller's parse, rag.search.hints), fusion (score or rank fusion + near-duplicate removal), then
the top k reordered by their best sentences (rag.search.rerank). Caller filters are hard
limits inside every ranked list. Inferred hints add, per hinted facet (a speaker, a
period, or both), a keyword and a dense ranking restricted to it and run on the question
without the hint words, which lifts matching passages without hiding others.
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from rag.filters import Filters
from rag.search.hints import Hints, infer
from rag.search.fusion import FUSIONS, drop_near_duplicates, spread
from rag.store.index import Index
from rag.store.keywords import query_words
from rag.store.vectors import Wide
from rag.records import Passage
from rag.search.rerank import rerank

Ranking = list[tuple[int, float]]

# Keyword rankings run here while the calling thread embeds the question.
_STORE = ThreadPoolExecutor(max_workers=4, thread_name_prefix="briefings-store")


@dataclass
class Retrieval:
    """The result of one search: passages best first, and how they were found."""

    query: str
    passages: list[Passage]
    filters: Filters                                    # the caller's hard filters
    hints: Filters = field(default_factory=Filters)     # inferred from the question (display)
    timings: dict[str, float] = field(default_factory=dict)
    topic: str = ""                                     # the query without its hinted names and dates


class Retriever:
    def __init__(self, index: Index) -> None:
        self.index = index
        self.settings = index.settings.search
        self.keywords = index.keywords()
        self._speakers: list[str] = []
        self._labels: set[str] = set()
        self._generation = -1

    def _refresh(self) -> None:
        """Re-read what is cached per index generation (after an ingest by any process)."""
        generation = self.index.generation
        if generation != self._generation:
            store = self.index.store
            self._speakers = [name for name, _ in store.speakers()]
            self._labels = {w for text in [*store.titles(), *(n for n, _ in store.speakers(None))]
                            for w in query_words(text)}
            self.keywords.refresh()
            self._generation = generation

    def known_speakers(self) -> list[str]:
        """Official speakers in the index (cached per index generation)."""
        self._refresh()
        return self._speakers

    def mentions(self, name: str) -> bool:
        """Whether the index holds `name` anywhere: in what was said or asked (keyword search),
        or in a speaker's name or a briefing's title, which keyword search leaves out."""
        self._refresh()
        words = query_words(name)
        return (bool(words) and all(w in self._labels for w in words)) \
            or bool(self.keywords.search(name, 1))

    def briefings_searched(self, filters: Filters) -> int:
        """How many briefings a search under `filters` reads (said with a refusal)."""
        return self.index.store.briefing_count(filters)

    def embed_query(self, text: str) -> np.ndarray:
        return self.index.embedder().encode([text])[0]

    def ranked_lists(self, text: str, filters: Filters, hints: Hints, facets: list[Filters],
                     timings: dict[str, float] | None = None) -> list[tuple[float, Ranking]]:
        """Every weighted ranking the fusion combines: a keyword and a dense ranking of the
        question under the caller's filters, then a pair per facet the question hints at.
        `timings` gets each stage's milliseconds (keyword_ms runs beside embed_ms)."""
        timings = {} if timings is None else timings
        n = self.settings.candidates
        weights = self.settings.weights
        w_bm25, w_dense = weights.bm25, weights.dense
        jobs = [(filters, text, 1.0)]   # (filters, keyword query, weight share)
        if facets:
            # Inside a facet the hint words match everything: rank on the rest of the question
            # (the dense side keeps the whole question's vector: one encoding per search).
            rest = hints.remainder if query_words(hints.remainder) else text
            share = weights.hinted / len(facets)
            jobs += [(narrowed, rest, share) for facet in facets
                     # None: the hint contradicts the caller's filters
                     if (narrowed := filters.narrowed(facet)) is not None]

        def store_work() -> list[tuple[Ranking, object]]:
            started = time.perf_counter()
            found = []
            for only, words, _ in jobs:
                allowed = self.index.allowed(only)
                found.append((self.keywords.search(words, n, only, isinstance(allowed, Wide)),
                              allowed))
            timings["keyword_ms"] = _ms(started)
            return found

        # The store's work needs no vector: it runs in another thread while this one embeds the
        # question (both release the GIL), so a search uses both cores.
        pending = _STORE.submit(store_work)
        started = time.perf_counter()
        vector = self.embed_query(text)
        timings["embed_ms"] = _ms(started)
        dense = self.index.dense()
        lists: list[tuple[float, Ranking]] = []
        found = pending.result()
        started = time.perf_counter()
        for (_, _, share), (keyword, allowed) in zip(jobs, found):
            lists += [(share * w_bm25, keyword), (share * w_dense, dense.search(vector, n, allowed))]
        timings["dense_ms"] = _ms(started)
        return lists

    def search(self, text: str, k: int | None = None, filters: Filters | None = None,
               hints: Hints | None = None, across_briefings: bool = False) -> Retrieval:
        """The k best passages for `text` under `filters`, steered by `hints` (the speakers and
        periods the question names: the caller's parse of it; None: inferred from `text`;
        `Hints()`: none).

        `across_briefings`: twice as many passages are reranked, and each briefing's best goes
        ahead of any briefing's second, so the k speak for the briefings of a period, not for
        its busiest day alone."""
        started = time.perf_counter()
        wanted = k = k or self.settings.k
        if across_briefings and self.settings.rerank:
            k *= 2
        filters = filters or Filters()
        if hints is None:
            hints = infer(text, self.known_speakers())
        fuse = FUSIONS[self.settings.fusion]
        facets = hints.facets(month_slack_days=self.settings.month_slack_days)
        timings: dict[str, float] = {}
        fused = fuse(self.ranked_lists(text, filters, hints, facets, timings),
                     k=self.settings.candidates)
        fetched = time.perf_counter()
        scores = dict(fused)

        def candidates() -> Iterator[Passage]:
            # Fetched a few at a time, as the deduplication asks: most searches fill k from
            # the first batch.
            for start in range(0, len(fused), 4 * k):
                yield from self.index.store.passages([pid for pid, _ in
                                                      fused[start:start + 4 * k]])

        passages = drop_near_duplicates(candidates(), lambda p: p.text, k,
                                        self.settings.near_duplicate)
        for p in passages:
            p.score = scores[p.id]
        timings["fetch_ms"] = _ms(fetched)
        topic = hints.remainder if query_words(hints.remainder) else text
        if self.settings.rerank:
            passages = rerank(topic, passages, facets)
        if across_briefings:
            passages = spread(passages, lambda p: p.briefing_id)[:wanted]
        timings["retrieve_ms"] = _ms(started)
        return Retrieval(text, passages, filters, hints.as_filters(), topic=topic,
                         timings=timings)


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000
