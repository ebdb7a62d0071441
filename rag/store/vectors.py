"""The dense index: FAISS over passage vectors, keyed by passage id.

Unfiltered searches go to FAISS: exact inner product (IndexFlatIP) for small indexes, HNSW
once the index is large enough for a linear scan to cost more than the latency budget.
Filtered searches score only the allowed vectors exactly, so a narrow filter (a speaker, a
month) still returns its true k nearest. A filter too wide to list its passages quickly (`Wide`:
a year of a million passages) takes the nearest of all, more until k pass it. The file is
written under a temporary name and renamed. While an ingest is still writing, a GrowingIndex
answers: the last file written plus the passages committed since, scored exactly.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import faiss
import numpy as np


_THREADS_LOCK = threading.Lock()  # FAISS's OpenMP thread count is process-wide
_BLOCK = 2048                     # vectors gathered at once by a filtered search (3 MB)


@dataclass
class Wide:
    """A filter that admits too many passages to list (rag.store.folder.FolderIndex.allowed):
    `admit(ids)` says which of some ids it admits."""

    admit: Callable[[list[int]], set[int]]


_WIDE_MOST = 4096   # the most neighbours a wide filter's search fetches before filtering


class DenseIndex:
    def __init__(self, index: faiss.Index) -> None:
        self.index = index
        n = index.ntotal
        self.ids = faiss.vector_to_array(index.id_map).astype(np.int64) if n else np.zeros(0, np.int64)
        # Passage ids arrive in ascending order (see Store.vectors_after), so positions are
        # found by binary search. The vectors are a view of FAISS's own storage, not a copy
        # (108k passages: 166 MB).
        inner = faiss.downcast_index(index.index)
        flat = faiss.downcast_index(inner.storage) if isinstance(inner, faiss.IndexHNSW) else inner
        self.vectors = (faiss.rev_swig_ptr(flat.get_xb(), n * index.d).reshape(n, index.d) if n
                        else np.zeros((0, index.d), np.float32))

    def __len__(self) -> int:
        return self.index.ntotal

    @property
    def dimension(self) -> int:
        return self.index.d

    @classmethod
    def build(cls, ids: np.ndarray, vectors: np.ndarray, dimension: int,
              hnsw_from: int = 50_000, hnsw_m: int = 32) -> "DenseIndex":
        if len(ids) >= hnsw_from:
            inner = faiss.IndexHNSWFlat(dimension, hnsw_m, faiss.METRIC_INNER_PRODUCT)
            inner.hnsw.efConstruction = 64
            inner.hnsw.efSearch = 128
        else:
            inner = faiss.IndexFlatIP(dimension)
        index = faiss.IndexIDMap2(inner)
        if len(ids):
            index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32),
                               np.ascontiguousarray(ids, dtype=np.int64))
        return cls(index)

    @classmethod
    def load(cls, path: Path, dimension: int) -> "DenseIndex":
        index = faiss.read_index(str(path))
        if index.d != dimension:
            raise RuntimeError(f"{path}: vectors are {index.d}-d, expected {dimension}")
        return cls(index)

    def save(self, path: Path) -> None:
        # A temporary name per process and thread: a reader rebuilding the same generation
        # (another process, or an upload's ingest thread in the app) may race us.
        tmp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
        faiss.write_index(self.index, str(tmp))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    def search(self, query: np.ndarray, k: int,
               allowed: np.ndarray | Wide | None = None) -> list[tuple[int, float]]:
        """(passage id, cosine) of the k nearest passages, optionally among `allowed` ids (or
        those a Wide filter admits)."""
        if len(self) == 0 or k <= 0:
            return []
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(-1)
        if allowed is None:
            return self._nearest(query, k)
        if isinstance(allowed, Wide):
            return self._nearest_admitted(query, k, allowed)
        positions = np.clip(np.searchsorted(self.ids, allowed), 0, len(self.ids) - 1)
        positions = positions[self.ids[positions] == allowed]
        # Scored a block at a time: gathering a whole year's vectors (20k+) into one array costs
        # fresh pages from the OS on every search (measured 70 ms instead of 10).
        scores = np.concatenate([self.vectors[positions[i:i + _BLOCK]] @ query
                                 for i in range(0, len(positions), _BLOCK)] or [np.zeros(0)])
        best = np.argpartition(-scores, k)[:k] if len(scores) > k else np.arange(len(scores))
        best = best[np.argsort(-scores[best])]
        return [(int(self.ids[positions[i]]), float(scores[i])) for i in best]

    def _nearest_admitted(self, query: np.ndarray, k: int,
                          wide: Wide) -> list[tuple[int, float]]:
        """The k nearest that a wide filter admits: the nearest of all, four times as many as
        wanted, and more until k pass (a wide filter admits many: usually the first round).
        On an exact (flat) index these are the filter's true k nearest."""
        fetch = 4 * k
        checked: set[int] = set()   # ids asked about in an earlier round
        kept: set[int] = set()
        while True:
            nearest = self._nearest(query, min(fetch, _WIDE_MOST, len(self)))
            new = [i for i, _ in nearest if i not in checked]
            kept |= wide.admit(new)
            checked.update(new)
            hits = [hit for hit in nearest if hit[0] in kept][:k]
            if len(hits) >= k or fetch >= min(_WIDE_MOST, len(self)):
                return hits
            fetch *= 4

    def _nearest(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The k nearest of every passage (HNSW above hnsw_from, else exact)."""
        with _THREADS_LOCK:
            # One query is too little work to share: a second thread mostly waits on a busy
            # machine (the same reasoning as the embedder's single-query thread).
            threads = faiss.omp_get_max_threads()
            faiss.omp_set_num_threads(1)
            try:
                inner = faiss.downcast_index(self.index.index)
                if isinstance(inner, faiss.IndexHNSW) and k > inner.hnsw.efSearch:
                    # HNSW finds at most efSearch good neighbours: widened for a wide filter
                    params = faiss.SearchParametersHNSW(efSearch=k)
                    scores, ids = self.index.search(query.reshape(1, -1), k, params=params)
                else:
                    scores, ids = self.index.search(query.reshape(1, -1), k)
            finally:
                faiss.omp_set_num_threads(threads)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]


class GrowingIndex:
    """The dense index while an ingest commits batch after batch: the FAISS file of an earlier
    generation (`base`) and, scored exactly, the passages committed since (`tail`, ids above
    the base's). Ids the base holds that a batch has since deleted come back from its searches
    and are dropped by the caller's store lookup (Store.passages leaves unknown ids out)."""

    def __init__(self, base: DenseIndex, tail: DenseIndex) -> None:
        self.base, self.tail = base, tail

    def __len__(self) -> int:
        return len(self.base) + len(self.tail)

    @property
    def dimension(self) -> int:
        return self.base.dimension

    def search(self, query: np.ndarray, k: int,
               allowed: np.ndarray | Wide | None = None) -> list[tuple[int, float]]:
        found = self.base.search(query, k, allowed) + self.tail.search(query, k, allowed)
        return sorted(found, key=lambda hit: -hit[1])[:k]
