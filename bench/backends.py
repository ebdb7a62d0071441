"""The two storage backends side by side, in one run: dev retrieval and search latency.

    python bench/backends.py --index index-eval --index postgresql://...@/eval?host=... \
        [--questions ../shared/eval/dev.jsonl bench/questions/own.jsonl]

For each index (a folder: SQLite + FTS5 + FAISS; a URL: PostgreSQL + pgvector) and each
question set: `briefings eval --retrieval-only` (recall@5 and @10, the chat's own retrieval),
then bench/run.py's search measurement in a process of its own (median, p95 including the
query embedding, peak memory) and the index's size. Prints one JSON object; needs ../shared.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
QUESTIONS = [SHARED / "eval" / "dev.jsonl", ROOT / "bench" / "questions" / "own.jsonl"]


def retrieval(location: str, questions: Path) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as out:
        proc = subprocess.run(
            [sys.executable, "-m", "rag.cli", "eval", str(questions), "--retrieval-only",
             "--index", location, "--out", out.name], cwd=ROOT, capture_output=True, text=True,
            check=True)
    scores = json.loads(proc.stdout)
    return {key: scores[key] for key in ("recall@5", "recall@10") if key in scores}


def latency(location: str, queries: int) -> dict:
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "search-process",
                           location, "--queries", str(queries)], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return json.loads(proc.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", action="append", required=True,
                        help="an index to measure (folder or postgresql:// URL); give two")
    parser.add_argument("--questions", nargs="+", type=Path, default=QUESTIONS)
    parser.add_argument("--queries", type=int, default=200,
                        help="stored questions timed beside the dev questions")
    args = parser.parse_args()
    if not SHARED.exists():
        print(f"{SHARED} not present: nothing to benchmark")
        return 0
    from rag.config import is_database_url
    from rag.store import open_index

    results = {}
    for location in args.index:
        index = open_index(location)
        name, size = index.name, index.size_bytes()
        index.close()
        results[name] = {
            "backend": "postgresql" if is_database_url(location) else "sqlite+faiss",
            "size_mb": round(size / 1e6, 1),
            **{questions.name: retrieval(location, questions) for questions in args.questions
               if questions.exists()},
            "search": latency(location, args.queries)}
        print(json.dumps({name: results[name]}), file=sys.stderr, flush=True)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
