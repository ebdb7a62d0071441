"""Load test of the JSON API: concurrent clients POSTing /api/ask for a while.

    python bench/load_api.py --serve --extractive [--index DIR] [--clients 8] [--seconds 120]
    python bench/load_api.py --serve --slots 1 2 [--clients 8] [--seconds 120]
    python bench/load_api.py --url http://127.0.0.1:7860 [--clients 8]

--serve starts `briefings serve` here (the page and the API in one process) over --index (an
existing index, read as it is) or a fresh index of sample_corpus. --extractive answers without
the model. --slots starts llama.cpp's own server (bench/llama_server.py) once per number of
parallel slots, with the packaged model, and serves through the `http` backend with that many
concurrent generations, so the throughput of 2 slots is measured against 1 in the same run.
Each client loops over the questions until the time is up (a question in flight is finished).
Prints requests, failures, median and p95 latency, and answers per minute.
"""
from __future__ import annotations

import argparse
import json
import socket
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load_ui import QUESTIONS, Tally, drive, summary  # noqa: E402


def client_loop(url: str, key: str, questions: list[str], first: int, until: float,
                tally: Tally) -> None:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    turn = first
    with httpx.Client(base_url=url, headers=headers, timeout=600) as client:
        while time.time() < until:
            question = questions[turn % len(questions)]
            turn += 1
            started = time.perf_counter()
            try:
                reply = client.post("/api/ask", json={"question": question})
                reply.raise_for_status()
                if not reply.json().get("answer"):
                    raise ValueError("an empty answer")
            except (httpx.HTTPError, ValueError) as err:  # counted; the client goes on
                with tally.lock:
                    tally.failures.append(f"{question}: {type(err).__name__}: {err}")
                continue
            with tally.lock:
                tally.question_s.append(time.perf_counter() - started)
                tally.retrieval_s.append(reply.json()["timings"]["retrieve_ms"] / 1000)


def run_load(url: str, clients: int, seconds: float, questions: list[str], key: str = "") -> dict:
    tally, elapsed = drive(client_loop, clients, seconds, url, key, questions)
    return {"url": url, "clients": clients, "seconds": round(elapsed, 1),
            "answers": summary(tally.question_s, len(tally.failures)),
            "retrieval": summary(tally.retrieval_s, 0),
            "answers_per_minute": round(60 * len(tally.question_s) / elapsed, 2),
            "first_failures": tally.failures[:5]}


def served(index: Path | None, extractive: bool, settings=None):
    """`briefings serve` started here on a free port: (url, running server)."""
    from ui.server import serve

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    work = Path(tempfile.mkdtemp(prefix="briefings-load-"))
    # an existing index is served as it is; a fresh one gets sample_corpus
    corpus = [] if index else [ROOT / "sample_corpus"]
    running = serve(corpus, index or work / "index", port=port,
                    uploads=work / "uploads", extractive=extractive, block=False,
                    settings=settings)
    return f"http://127.0.0.1:{port}", running


def with_slots(slots: int, index: Path | None, clients: int, seconds: float,
               questions: list[str]) -> dict:
    """The load through the http backend against llama.cpp's server with `slots` slots."""
    import llama_server
    from rag import config
    from rag.models import files

    settings = config.load()
    model = files.resolve(settings.generation.model, settings.generation.cache_dir)
    base_url, process = llama_server.start(model, slots)
    try:
        settings = config.with_overrides(settings, {"generation": {
            "backend": "http", "http": {"base_url": base_url, "concurrency": slots}}})
        url, running = served(index, False, settings)
        try:
            return {"slots": slots, **run_load(url, clients, seconds, questions)}
        finally:
            running.close()
    finally:
        llama_server.stop(process)


def report(result: dict) -> None:
    label = f"{result['slots']} slot(s): " if "slots" in result else ""
    a = result["answers"]
    print(f"{label}{result['clients']} clients for {result['seconds']} s against "
          f"{result['url']}: {a['requests']} requests, {a['failures']} failures, median "
          f"{a['median_s']} s, p95 {a['p95_s']} s, {result['answers_per_minute']} answers/min "
          f"(retrieval median {result['retrieval']['median_s']} s)", flush=True)
    for failure in result["first_failures"]:
        print(f"  failure: {failure}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running service (default: --serve one here)")
    parser.add_argument("--serve", action="store_true", help="start `briefings serve` here")
    parser.add_argument("--index", type=Path, help="with --serve: an existing index")
    parser.add_argument("--extractive", action="store_true", help="answer without the model")
    parser.add_argument("--slots", type=int, nargs="+",
                        help="with --serve: the http backend against llama.cpp's server with "
                             "each of these numbers of parallel slots, one after the other")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--questions", type=Path, help="a file of questions, one per line")
    parser.add_argument("--key", default="", help="the API key, when the service needs one")
    parser.add_argument("--json", action="store_true", help="print the results as JSON only")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 64 or not 0 < args.seconds <= 3600:
        parser.error("--clients must be 1..64 and --seconds 1..3600")
    if bool(args.url) == args.serve:
        parser.error("give either --url or --serve")
    if args.url and urlparse(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error(f"{args.url} is not on this machine: only localhost is load-tested")
    questions = [q.strip() for q in (args.questions.read_text(encoding="utf-8").splitlines()
                                     if args.questions else QUESTIONS) if q.strip()]
    results = []
    if args.url:
        results.append(run_load(args.url, args.clients, args.seconds, questions, args.key))
    elif args.slots:
        for slots in args.slots:
            results.append(with_slots(slots, args.index, args.clients, args.seconds, questions))
            if not args.json:
                report(results[-1])
    else:
        url, running = served(args.index, args.extractive)
        try:
            results.append(run_load(url, args.clients, args.seconds, questions))
        finally:
            running.close()
    if args.json:
        print(json.dumps(results, indent=2))
    elif not args.slots:
        report(results[0])
    if args.slots and len(results) > 1 and not args.json:
        base = results[0]["answers_per_minute"] or float("nan")
        for r in results[1:]:
            print(f"throughput, {r['slots']} slots against {results[0]['slots']}: "
                  f"{r['answers_per_minute'] / base:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
