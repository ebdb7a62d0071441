"""The retriever: a question -> the k best passages, hybrid and filtered.

Components (each testable alone): sparse (BM25 over FTS5), dense (FAISS), query hints
(speakers and dates named in the question), fusion (weighted RRF + near-duplicate removal).
Caller filters are hard limits inside every ranked list; inferred hints add extra rankings
restricted to the hinted speakers/dates, which lifts matching passages without hiding others.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from rag import query, sparse
from rag.filters import Filters
from rag.fusion import drop_near_duplicates, reciprocal_rank_fusion
from rag.index import Index
from rag.records import Passage


@dataclass
class Retrieval:
    """The result of one search: passages best first, and how they were found."""

    query: str
    passages: list[Passage]
    filters: Filters                      # the caller's hard filters
    hints: Filters = field(default_factory=Filters)   # inferred from the question
    timings: dict[str, float] = field(default_factory=dict)


class Retriever:
    def __init__(self, index: Index) -> None:
        self.index = index
        self.settings = index.settings.search
        self._speakers: list[str] | None = None
        self._speakers_generation = -1

    def known_speakers(self) -> list[str]:
        """Official speakers in the index (cached per index generation)."""
        generation = self.index.generation
        if self._speakers is None or generation != self._speakers_generation:
            self._speakers = [name for name, _ in self.index.store.speakers()]
            self._speakers_generation = generation
        return self._speakers

    def embed_query(self, text: str) -> np.ndarray:
        return self.index.embedder().encode([text])[0]

    def _rankings(self, text: str, vector: np.ndarray, filters: Filters,
                  n: int) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
        conn = self.index.store.conn
        keyword = sparse.search(conn, text, n, filters)
        allowed = self.index.store.passage_ids(filters) if filters else None
        dense = self.index.dense().search(vector, n, allowed)
        return keyword, dense

    def search(self, text: str, k: int | None = None, filters: Filters | None = None,
               infer: bool = True) -> Retrieval:
        """The k best passages for `text` under `filters`, with hints inferred from the text."""
        started = time.perf_counter()
        k = int(k or self.settings.k)
        filters = filters or Filters()
        n = max(int(self.settings.candidates), 3 * k)
        weights = self.settings.weights
        vector = self.embed_query(text)
        embedded = time.perf_counter()

        keyword, dense = self._rankings(text, vector, filters, n)
        lists = [(float(weights["bm25"]), keyword), (float(weights["dense"]), dense)]
        hints = query.infer(text, self.known_speakers()) if infer else Filters()
        if hints:
            hinted_kw, hinted_dense = self._rankings(text, vector, filters.merged(hints), n)
            w = float(weights["hinted"])
            lists += [(w * float(weights["bm25"]), hinted_kw), (w * float(weights["dense"]), hinted_dense)]

        fused = reciprocal_rank_fusion(lists, k=int(self.settings.rrf_k))[: 4 * n]
        scores = dict(fused)
        candidates = self.index.store.passages([pid for pid, _ in fused])
        passages = drop_near_duplicates(candidates, lambda p: p.text, k,
                                        float(self.settings.near_duplicate))
        for p in passages:
            p.score = scores[p.id]
        done = time.perf_counter()
        return Retrieval(text, passages, filters, hints, {
            "embed_ms": (embedded - started) * 1000, "retrieve_ms": (done - started) * 1000})
