"""The dense index: FAISS over passage vectors, keyed by passage id.

Exact inner-product search (IndexFlatIP) is fast enough at this scale (100k passages in a few
milliseconds on 2 cores) and needs no training. Filtered searches pass an id selector, so a
narrow filter still returns k hits. The file is written under a temporary name and renamed.
"""
from __future__ import annotations

import os
from pathlib import Path

import faiss
import numpy as np


class DenseIndex:
    def __init__(self, dimension: int, index: faiss.Index | None = None) -> None:
        self.dimension = dimension
        self.index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))

    def __len__(self) -> int:
        return self.index.ntotal

    @classmethod
    def build(cls, ids: np.ndarray, vectors: np.ndarray, dimension: int) -> "DenseIndex":
        dense = cls(dimension)
        if len(ids):
            dense.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32),
                                     np.ascontiguousarray(ids, dtype=np.int64))
        return dense

    @classmethod
    def load(cls, path: Path, dimension: int) -> "DenseIndex":
        index = faiss.read_index(str(path))
        if index.d != dimension:
            raise RuntimeError(f"{path}: vectors are {index.d}-d, expected {dimension}")
        return cls(dimension, index)

    def save(self, path: Path) -> None:
        # A per-process temporary name: a reader rebuilding the same generation may race us.
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        faiss.write_index(self.index, str(tmp))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    def search(self, query: np.ndarray, k: int,
               allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(passage id, cosine) of the k nearest passages, optionally among `allowed` ids."""
        if len(self) == 0 or k <= 0 or (allowed is not None and len(allowed) == 0):
            return []
        params = None
        if allowed is not None:
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(
                np.ascontiguousarray(allowed, dtype=np.int64)))
        scores, ids = self.index.search(query.reshape(1, -1).astype(np.float32), k, params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]
