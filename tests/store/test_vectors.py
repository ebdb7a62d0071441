"""The dense index: the nearest passages a wide filter admits."""
from __future__ import annotations

import numpy as np

from rag.store.vectors import DenseIndex, Wide


def test_a_wide_filter_that_admits_few_of_the_nearest_asks_about_each_passage_once():
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(3000, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.arange(1, 3001, dtype=np.int64)
    dense = DenseIndex.build(ids, vectors, 16, hnsw_from=10**9)   # exact: true neighbours
    asked: list[int] = []

    def admit(found: list[int]) -> set[int]:
        asked.extend(found)
        return {i for i in found if i % 50 == 0}   # one passage in fifty

    hits = dense.search(vectors[0], 10, Wide(admit=admit))
    allowed = ids[ids % 50 == 0]
    assert [i for i, _ in hits] == [i for i, _ in dense.search(vectors[0], 10, allowed)]
    assert len(asked) == len(set(asked)) > 40   # several rounds, no id asked about twice
