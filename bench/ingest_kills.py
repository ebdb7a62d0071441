"""Resumable ingest under kill -9: an uninterrupted ingest, then the same corpus ingested again
into a fresh index and killed at random moments, each kill followed by a search of what was
committed and by a run that resumes. Prints each kill, the peak memory of every run, and whether
the final index equals the uninterrupted one (briefings, passages, vectors). Prints JSON last.

    python bench/ingest_kills.py [--corpus PATH...] [--kills 20] [--seed 7] [--out DIR]

Default corpus: the whole White House corpus in ../shared (exits cleanly without it). Each run
is killed after a time drawn uniformly from 1 s to twice the uninterrupted run's duration
divided by the number of kills (seeded), so the kills fall all through the work, start-up
included; a run that finishes before its kill starts the index afresh. Indexes go under
bench/out/ (ignored).
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
OUT = ROOT / "bench" / "out"
WHITEHOUSE = SHARED / "corpora" / "whitehouse" / "press-briefings"
QUESTION = "What did the press secretary say about the border?"


def _ingest(corpus: list[Path], index: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "rag.cli", "ingest", *map(str, corpus),
                             "--index", str(index), "-q"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _peak_mb(pid: int) -> float:
    """The high-water mark of a running process's resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _run_to_end(corpus: list[Path], index: Path) -> tuple[float, float]:
    """(seconds, peak MB) of one uninterrupted ingest."""
    started = time.perf_counter()
    proc = _ingest(corpus, index)
    peak = 0.0
    while proc.poll() is None:
        try:
            peak = max(peak, _peak_mb(proc.pid))
        except (FileNotFoundError, ProcessLookupError):
            break
        time.sleep(0.5)
    _, err = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"ingest failed ({proc.returncode}): {err.decode()[-500:]}")
    return time.perf_counter() - started, peak


def contents(directory: Path) -> tuple[list, list, "np.ndarray"]:
    """Briefings, passages (by briefing, turn and offsets) and their vectors: an index's
    contents independent of its row ids."""
    import numpy as np
    from rag.store import open_index

    index = open_index(directory)
    try:
        conn = index.store.conn
        briefings = [tuple(r) for r in conn.execute(
            "SELECT id, document, title, date, participants, fingerprint FROM briefings "
            "ORDER BY id")]
        rows = conn.execute(
            "SELECT p.briefing, t.ord, p.start, p.end, p.text, p.speaker, p.vector FROM passages p "
            "JOIN turns t ON t.id = p.turn ORDER BY p.briefing, t.ord, p.start").fetchall()
        vectors = np.array([np.frombuffer(r[-1], dtype="<f4") for r in rows])
        return briefings, [tuple(r)[:-1] for r in rows], vectors
    finally:
        index.close()


def _search(directory: Path) -> tuple[int, int, float]:
    """(briefings committed, passages found, seconds) of one search of the index as it is."""
    from rag.search.retriever import Retriever
    from rag.store import open_index

    index = open_index(directory)
    try:
        started = time.perf_counter()
        found = Retriever(index).search(QUESTION, k=5).passages
        return index.store.stats()["briefings"], len(found), time.perf_counter() - started
    finally:
        index.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", nargs="+", type=Path, default=[WHITEHOUSE])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=OUT / "kills")
    args = parser.parse_args()
    if not all(p.exists() for p in args.corpus):
        print(f"skipped: {args.corpus} not found (../shared is absent)")
        return
    import numpy as np

    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    whole, killed = args.out / "uninterrupted", args.out / "killed"
    seconds, peak = _run_to_end(args.corpus, whole)
    print(f"uninterrupted: {seconds:.0f} s, peak RSS {peak:.0f} MB", flush=True)

    rng = random.Random(args.seed)
    kills = []
    while len(kills) < args.kills:
        wait = rng.uniform(1.0, 2 * seconds / args.kills)
        proc = _ingest(args.corpus, killed)
        started = time.perf_counter()
        peak_run = 0.0
        while proc.poll() is None and time.perf_counter() - started < wait:
            try:
                peak_run = max(peak_run, _peak_mb(proc.pid))
            except (FileNotFoundError, ProcessLookupError):
                break
            time.sleep(0.25)
        if proc.poll() is not None:  # it finished first: the corpus is all in; start afresh
            if proc.returncode:
                raise SystemExit(f"ingest failed: {proc.stderr.read().decode()[-500:]}")
            shutil.rmtree(killed)
            continue
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        briefings, found, took = _search(killed)
        kills.append({"after_s": round(wait, 1), "briefings_committed": briefings,
                      "search_hits": found, "search_s": round(took, 2),
                      "peak_rss_mb": round(peak_run)})
        print(f"kill {len(kills)}: after {wait:.1f} s, {briefings} briefings committed, "
              f"search answered {found} passages in {took:.2f} s, peak RSS {peak_run:.0f} MB",
              flush=True)
    resumed_s, resumed_peak = _run_to_end(args.corpus, killed)
    print(f"resumed to the end: {resumed_s:.0f} s, peak RSS {resumed_peak:.0f} MB", flush=True)
    a, b = contents(whole), contents(killed)
    same = a[0] == b[0] and a[1] == b[1] and a[2].shape == b[2].shape
    worst = float(np.abs(a[2] - b[2]).max()) if same and len(a[2]) else 0.0
    result = {"corpus": [str(p) for p in args.corpus], "briefings": len(a[0]),
              "passages": len(a[1]), "uninterrupted_s": round(seconds), "peak_rss_mb": round(peak),
              "kills": kills,
              # an index with nothing committed yet rightly finds nothing
              "all_searches_answered": all(k["search_hits"] or not k["briefings_committed"]
                                           for k in kills),
              "same_briefings_and_passages": same, "largest_vector_difference": worst,
              "equal": same and worst <= 1e-5}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
