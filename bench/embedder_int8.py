"""Embedder throughput: today's float32 ONNX export against ONNX Runtime's graph fusions and its
int8 dynamic quantisation, measured in one run over passages of an index.

    python bench/embedder_int8.py --index DIR [--passages 2000] [--rounds 3]

Variants: float32 (the export in use), fused (onnxruntime.transformers' BERT fusions of it),
int8 (its weights quantised, as `embedding.precision: int8` runs it) and fused-int8. Each round
encodes the same passages (their embedded inputs, as ingest makes them) with every variant in
turn, batch 64 on every core, and 200 one-line questions one at a time on one thread; the
figures are the medians over rounds. Also: each variant's cosine to the float32 vectors. Recall
with int8 vectors is measured on an index built with them:

    BRIEFINGS_CONFIG=int8.yaml briefings ingest ... --index DIR-int8   # embedding: {precision: int8}
    BRIEFINGS_CONFIG=int8.yaml briefings eval ../shared/eval/dev.jsonl --retrieval-only --index DIR-int8
"""
from __future__ import annotations

import argparse
import copy
import json
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out" / "embedder"


def _variants(embedder, package: str) -> dict[str, Path]:
    """variant -> ONNX file, the fused and quantised ones made under bench/out/embedder."""
    from onnxruntime.transformers import optimizer

    from rag.models.embedder import package_model_dir, quantize_weights, quantized

    OUT.mkdir(parents=True, exist_ok=True)
    float32 = embedder.path
    fused = OUT / "fused.onnx"
    if not fused.exists():
        optimizer.optimize_model(str(float32), model_type="bert", num_heads=0,
                                 hidden_size=0).save_model_to_file(str(fused))
    fused_int8 = OUT / "fused-int8.onnx"
    if not fused_int8.exists():
        quantize_weights(fused, fused_int8)
    int8 = quantized(float32, embedder.spec, package_model_dir(package))
    return {"float32": float32, "fused": fused, "int8": int8, "fused-int8": fused_int8}


def _running(embedder, path: Path):
    """The embedder as it is, running the ONNX file `path` (its own sessions)."""
    variant = copy.copy(embedder)
    variant.path, variant._sessions = path, {}
    return variant


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--passages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from rag.models.embedder import embed_input
    from rag.store import open_index

    index = open_index(args.index)
    embedder = index.embedder()
    rows = index.store.conn.execute(
        "SELECT p.text, t.question FROM passages p JOIN turns t ON t.id = p.turn").fetchall()
    rng = random.Random(7)
    texts = [embed_input(text, question, index.settings.embedding.with_question)
             for text, question in rng.sample(rows, min(args.passages, len(rows)))]
    questions = [q for _, q in rng.sample(rows, min(200, len(rows))) if q][:200] or texts[:200]
    questions = [" ".join(q.split()[:20]) for q in questions]
    package = index.settings.embedding.package
    index.close()

    paths = _variants(embedder, package)
    variants = {name: _running(embedder, path) for name, path in paths.items()}
    speed: dict[str, list[float]] = {name: [] for name in paths}
    latency: dict[str, list[float]] = {name: [] for name in paths}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(args.rounds):
        for name in paths:
            started = time.perf_counter()
            vectors[name] = variants[name].encode(texts, batch_size=64)  # every core
            speed[name].append(len(texts) / (time.perf_counter() - started))
            started = time.perf_counter()
            for q in questions:
                variants[name].encode([q])  # one thread, as a search does
            latency[name].append((time.perf_counter() - started) / len(questions) * 1000)
    base = vectors["float32"]
    result = {"passages": len(texts), "rounds": args.rounds, "questions": len(questions)}
    for name in paths:
        cosines = np.sum(vectors[name] * base, axis=1)
        result[name] = {
            "passages_per_s": round(statistics.median(speed[name]), 1),
            "speedup": round(statistics.median(speed[name]) / statistics.median(speed["float32"]), 2),
            "query_ms": round(statistics.median(latency[name]), 2),
            "cosine_to_float32_mean": round(float(cosines.mean()), 5),
            "cosine_to_float32_min": round(float(cosines.min()), 5),
            "file_mb": round(paths[name].stat().st_size / 1e6, 1)}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
