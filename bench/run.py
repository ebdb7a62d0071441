"""Benchmarks: ingest throughput against the raw encoder, re-ingest cost, search latency,
index size and the peak memory of a search process. Prints ratios measured in one run.

    python bench/run.py ingest [--corpus PATH...]     # default: the evaluation corpus
    python bench/run.py search [--corpus PATH...]     # default: all White House + MFA pages
    python bench/run.py search --index DIR            # latency over an index already built
    python bench/run.py all

Indexes are built under bench/out/ (ignored by git). Needs ../shared; exits cleanly without it.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
OUT = ROOT / "bench" / "out"

EVAL_CORPUS = [SHARED / "corpora" / "mfa", *sorted((SHARED / "corpora" / "whitehouse" /
               "press-briefings").glob("2024-*")), SHARED / "seeds"]
SCALE_CORPUS = [SHARED / "corpora" / "mfa", SHARED / "corpora" / "whitehouse" / "press-briefings"]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def bench_ingest(corpus: list[Path]) -> dict:
    from rag.store import open_index
    from rag.ingest.run import ingest
    from rag.models.embedder import embed_input

    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        index = open_index(Path(tmp) / "index", create=True)
        embedder = index.embedder()          # load once: both sides are timed warm
        embedder.encode(["warm up"])
        first = ingest(corpus, index, progress=False)
        rows = index.store.conn.execute(
            "SELECT p.text, t.question FROM passages p JOIN turns t ON t.id = p.turn").fetchall()
        inputs = list(dict.fromkeys(
            embed_input(r[0], r[1], index.settings.embedding.with_question) for r in rows))
        batch = index.settings.ingest.batch_size
        t0 = time.perf_counter()
        for start in range(0, len(inputs), batch * 16):
            embedder.encode(inputs[start:start + batch * 16], batch_size=batch)
        encode_s = time.perf_counter() - t0
        again = ingest(corpus, index, progress=False)
        ingest_rate = first.embedded / first.seconds
        encoder_rate = len(inputs) / encode_s
        return {
            "corpus": [str(p) for p in corpus],
            "briefings": index.store.stats()["briefings"],
            "passages": first.passages,
            "first_ingest_s": round(first.seconds, 1),
            "ingest_passages_per_s": round(ingest_rate, 1),
            "raw_encoder_passages_per_s": round(encoder_rate, 1),
            "ingest_vs_encoder": round(ingest_rate / encoder_rate, 3),
            "reingest_unchanged_s": round(again.seconds, 2),
            "reingest_vs_first": round(again.seconds / first.seconds, 4),
            "reingest_embedded": again.embedded,
        }


def build_index(corpus: list[Path], directory: Path) -> dict:
    from rag.store import open_index
    from rag.ingest.run import ingest
    index = open_index(directory, create=True)
    report = ingest(corpus, index, progress=True)
    return {"ingest_s": round(report.seconds, 1), "embedded": report.embedded,
            "briefings": index.store.stats()["briefings"],
            "passages": index.store.stats()["passages"], "size_mb": round(index.size_bytes() / 1e6, 1)}


def search_process(directory: str | Path, queries: int) -> dict:
    """Runs inside its own process so its peak memory is the search process's own."""
    from rag.store import open_index
    from rag.search.retriever import Retriever
    index = open_index(directory)
    retriever = Retriever(index)
    questions = [r[0] for r in index.store.conn.execute(
        "SELECT question FROM turns WHERE question != '' GROUP BY question "
        "ORDER BY length(question) % 97, question LIMIT ?", (queries,))]
    dev = SHARED / "eval" / "dev.jsonl"
    questions += [json.loads(line)["question"] for line in dev.read_text().splitlines() if line]
    for q in questions[:5]:
        retriever.search(q)          # warm-up: model load, FAISS load, SQLite page cache
    timings = []
    stages: dict[str, list[float]] = {}
    for q in questions:
        t0 = time.perf_counter()
        retrieval = retriever.search(q, k=10)
        timings.append((time.perf_counter() - t0) * 1000)
        for stage, ms in retrieval.timings.items():
            stages.setdefault(stage, []).append(ms)
    return {"queries": len(timings), "median_ms": round(statistics.median(timings), 1),
            "p95_ms": round(_percentile(timings, 0.95), 1), "max_ms": round(max(timings), 1),
            # the retriever's own stages (keyword_ms runs while the question is embedded)
            "stages_median_p95_ms": {stage: [round(statistics.median(v), 1),
                                             round(_percentile(v, 0.95), 1)]
                                     for stage, v in stages.items()},
            "passages": index.store.stats()["passages"],
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def bench_search(corpus: list[Path], queries: int, directory: str | Path | None = None) -> dict:
    """Search latency over `directory` if given (an index already built), else over a scale
    index built from `corpus` under bench/out/."""
    if directory is None:
        directory = OUT / "scale-index"
        built = build_index(corpus, directory)
    else:
        from rag.store import open_index
        index = open_index(directory)
        built = {"index": str(directory), "size_mb": round(index.size_bytes() / 1e6, 1),
                 **{k: index.store.stats()[k] for k in ("briefings", "passages")}}
    proc = subprocess.run([sys.executable, __file__, "search-process", str(directory),
                           "--queries", str(queries)], capture_output=True, text=True, check=True)
    return {"index": built, "search": json.loads(proc.stdout)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["ingest", "search", "all", "search-process"])
    parser.add_argument("directory", nargs="?")
    parser.add_argument("--corpus", nargs="+", type=Path)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--index", help="search an index already built (folder or URL)")
    args = parser.parse_args()
    if args.what == "search-process":
        print(json.dumps(search_process(args.directory, args.queries)))
        return 0
    if not SHARED.exists():
        print(f"{SHARED} not present: nothing to benchmark")
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict = {}
    if args.what in ("ingest", "all"):
        results["ingest"] = bench_ingest(args.corpus or EVAL_CORPUS)
        print(json.dumps(results["ingest"], indent=2), flush=True)
    if args.what in ("search", "all"):
        results["search"] = bench_search(args.corpus or SCALE_CORPUS, args.queries, args.index)
        print(json.dumps(results["search"], indent=2), flush=True)
    (OUT / f"bench-{args.what}.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
