"""The packaged embedder: a search's few texts (numpy) and ingest's batches (torch) agree."""
from __future__ import annotations

import numpy as np

from rag import config
from rag.embeddings import SMALL_BATCH, load_embedder


def _embedder():
    emb = config.load().embedding
    return load_embedder(emb.package, emb.model, int(emb.dimension))


def test_small_batches_give_the_batch_encoders_vectors():
    embedder = _embedder()
    assert embedder.small is not None  # the packaged MiniLM is the recipe the numpy path runs
    texts = ["How many asylum officers would the Senate border deal pay for?",
             "x",
             "Ünïcödé \u2014 \u201cquotes\u201d and a 2,000-pound bomb",
             "word " * 400]  # longer than the model's 256 tokens: truncated the same way
    assert len(texts) <= SMALL_BATCH
    small = embedder.encode(texts)
    batch = embedder.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    assert small.dtype == np.float32 and small.shape == (4, embedder.dimension)
    assert np.abs(small - batch).max() < 1e-5
    assert np.allclose(np.linalg.norm(small, axis=1), 1.0, atol=1e-5)


def test_a_large_batch_goes_through_sentence_transformers():
    embedder = _embedder()
    texts = [f"passage number {i} about harbours" for i in range(SMALL_BATCH + 1)]
    vectors = embedder.encode(texts)
    assert np.abs(vectors[:1] - embedder.encode(texts[:1])).max() < 1e-5
