"""A synthetic index of a million passages, then hybrid search over it (bench/run.py search).

    python bench/million.py --source DIR [--passages 1000000] [--out bench/out/million]
                            [--build-only]     # then: python bench/run.py search --index OUT

The passages are the real ones of the index in --source (the scale corpus's, or any), copied
until there are --passages of them: each copy of a briefing gets a new id ("<id>~<n>"), its
turns and passages their own rows, and every vector is perturbed (Gaussian noise, sigma 0.02
per dimension, then renormalised) so the copies are not exact ties. No text is encoded: the
vectors are the source's, perturbed, which the output says. Then the FAISS file (HNSW above
search.hnsw_from) is built and `bench/run.py`'s search measurement runs in its own process:
median and p95 including the query embedding, index size and peak memory. Prints JSON.
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import sqlite3
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
OUT = ROOT / "bench" / "out" / "million"
SIGMA = 0.02


def _copy(source: Path, out: Path) -> None:
    """The source index into `out`: its manifest and a consistent copy of its database."""
    from rag.store.folder import DATABASE, MANIFEST

    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    shutil.copy(source / MANIFEST, out / MANIFEST)
    with sqlite3.connect(source / DATABASE) as src, sqlite3.connect(out / DATABASE) as dst:
        src.backup(dst)


def _grow(conn: sqlite3.Connection, target: int, rng: np.random.Generator) -> int:
    """Copies of every source briefing, with its turns and perturbed passages, until the
    index holds `target` passages. Returns the number of copies made."""
    base = conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
    ids = [r[0] for r in conn.execute("SELECT id FROM briefings ORDER BY id")]
    copy = 0
    while conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0] < target:
        copy += 1
        left = target - conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
        conn.execute("BEGIN")
        for briefing in ids:
            if left <= 0:
                break
            new = f"{briefing}~{copy}"
            conn.execute(
                "INSERT INTO briefings(id, document, title, date, source, location, chair, "
                "participants, fingerprint) SELECT ?, document || ?, title, date, source, "
                "location, chair, participants, fingerprint || ? FROM briefings WHERE id = ?",
                (new, f"~{copy}", f"~{copy}", briefing))
            turns = {}
            for tid, ord_, speaker, role, outlet, page, text, question in conn.execute(
                    "SELECT id, ord, speaker, role, outlet, page, text, question FROM turns "
                    "WHERE briefing = ? ORDER BY ord", (briefing,)).fetchall():
                cur = conn.execute(
                    "INSERT INTO turns(briefing, ord, speaker, role, outlet, page, text, "
                    "question) VALUES (?,?,?,?,?,?,?,?)",
                    (new, ord_, speaker, role, outlet, page, text, question))
                turns[tid] = (cur.lastrowid, question)
            rows = conn.execute(
                "SELECT turn, start, end, text, speaker, role, date, source, embed_key, vector "
                "FROM passages WHERE briefing = ? ORDER BY id", (briefing,)).fetchall()[:left]
            if not rows:
                continue
            vectors = np.frombuffer(b"".join(r[-1] for r in rows), dtype="<f4").reshape(
                len(rows), -1)
            noisy = vectors + rng.normal(0, SIGMA, vectors.shape).astype(np.float32)
            noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
            for row, vector in zip(rows, noisy.astype("<f4")):
                turn, question = turns[row[0]]
                cur = conn.execute(
                    "INSERT INTO passages(turn, briefing, start, end, text, speaker, role, date, "
                    "source, embed_key, vector) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (turn, new, *row[1:8], f"{row[8]}~{copy}", vector.tobytes()))
                conn.execute("INSERT INTO passages_fts(rowid, text, question) VALUES (?,?,?)",
                             (cur.lastrowid, row[3], question))
            left -= len(rows)
        conn.execute("COMMIT")
        done = conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
        print(f"copy {copy}: {done:,} passages (source {base:,})", file=sys.stderr, flush=True)
    row = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    generation = int(row[0]) + 1 if row else 1
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('generation', ?)",
                 (str(generation),))
    conn.commit()
    return copy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True)
    parser.add_argument("--passages", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--build-only", action="store_true",
                        help="build the index, measure search later on an idle machine")
    args = parser.parse_args()
    from run import bench_search  # bench/run.py: the one search measurement

    from rag.store.folder import DATABASE
    from rag.store import open_index

    started = time.perf_counter()
    _copy(args.source, args.out)
    conn = sqlite3.connect(args.out / DATABASE, isolation_level=None)
    copies = _grow(conn, args.passages, np.random.default_rng(7))
    conn.close()
    grown = time.perf_counter() - started
    index = open_index(args.out)
    started = time.perf_counter()
    index.ingested(changed=True)   # as an ingest ends: word counts, the FAISS file
    dense_s = time.perf_counter() - started
    passages = index.store.stats()["passages"]
    index.close()
    result = {"source": str(args.source), "passages": passages, "copies": copies,
              "vectors": f"the source's vectors perturbed (sigma {SIGMA}) and renormalised; "
                         "no text encoded",
              "build_rows_s": round(grown), "build_faiss_s": round(dense_s),
              "builder_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                                           / 1024),
              **({} if args.build_only else bench_search([], args.queries, args.out))}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
