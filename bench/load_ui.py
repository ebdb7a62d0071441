"""Load test of the web app: concurrent gradio_client sessions asking questions for a while.

    python bench/load_ui.py [--url http://127.0.0.1:7860/] [--clients 8] [--seconds 120]
    python bench/load_ui.py --serve [--extractive]     # first start the app on sample_corpus

Each client, in its own session, asks (/ask: retrieval, shown at once), waits for the answer
(/answer: queued, one generation at a time), then clears its chat (/new_chat), and loops until
the time is up; a question in flight is finished, so the run ends at most one answer later.
Only localhost is accepted: this is not a tool for loading someone else's server. Prints, for
whole questions and for the retrieval step alone: requests, failures, median and p95 latency.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# About sample_corpus (fictional); --questions FILE gives others, one per line.
QUESTIONS = [
    "What did Xu Weiran say about the Kelvar Strait?",
    "How much will the ministry pay each licensed fishing household?",
    "What did Marisa Quell say about the destroyer transit?",
    "How much did the President approve for seawalls and flood defences?",
    "What will be added on Pell Island?",
    "What came of the fisheries talks with Norvania?",
    "What did Tobias Renn say about the shipping lanes?",
    "What is China's position on port fees at Kelmar?",
]
NO_FILTERS = {"speaker_filter": [], "date_from": "", "date_to": "", "family_filter": [],
              "use_hints": True}


@dataclass
class Tally:
    """Latencies and failures, shared by the client threads."""

    question_s: list[float] = field(default_factory=list)
    retrieval_s: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(values: list[float], failures: int) -> dict:
    return {"requests": len(values) + failures, "failures": failures,
            "median_s": round(statistics.median(values), 3) if values else None,
            "p95_s": round(percentile(values, 0.95), 3) if values else None}


def client_loop(url: str, auth, questions: list[str], first: int, until: float,
                tally: Tally) -> None:
    from gradio_client import Client

    client = Client(url, auth=auth, verbose=False)
    turn = first
    while time.time() < until:
        question = questions[turn % len(questions)]
        turn += 1
        started = time.perf_counter()
        try:
            client.predict(question, **NO_FILTERS, api_name="/ask")
            asked = time.perf_counter()
            client.predict(api_name="/answer")
            done = time.perf_counter()
            client.predict(api_name="/new_chat")
        except Exception as err:  # a failed request is counted, and the client goes on
            with tally.lock:
                tally.failures.append(f"{question}: {type(err).__name__}: {err}")
            continue
        with tally.lock:
            tally.retrieval_s.append(asked - started)
            tally.question_s.append(done - started)


def drive(loop, clients: int, seconds: float, *args) -> tuple[Tally, float]:
    """`clients` threads each running loop(*args, first question, until, tally) until the time
    is up; the tally and the seconds it took (the last questions in flight included)."""
    tally = Tally()
    until = time.time() + seconds
    threads = [threading.Thread(target=loop, args=(*args, i, until, tally))
               for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.perf_counter() - started


def run_load(url: str, clients: int, seconds: float, questions: list[str], auth=None) -> dict:
    tally, elapsed = drive(client_loop, clients, seconds, url, auth, questions)
    failures = len(tally.failures)
    return {"url": url, "clients": clients, "seconds": round(elapsed, 1),
            "questions": summary(tally.question_s, failures),
            "retrieval": summary(tally.retrieval_s, 0),
            "first_failures": tally.failures[:5]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:7860/")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--questions", help="a file of questions, one per line")
    parser.add_argument("--serve", action="store_true",
                        help="start the app here first, on a fresh index of sample_corpus")
    parser.add_argument("--extractive", action="store_true",
                        help="with --serve: answer without the model")
    parser.add_argument("--json", action="store_true", help="print the result as JSON only")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 64 or not 0 < args.seconds <= 3600:
        parser.error("--clients must be 1..64 and --seconds 1..3600")
    questions = (Path(args.questions).read_text(encoding="utf-8").split("\n")
                 if args.questions else QUESTIONS)
    questions = [q.strip() for q in questions if q.strip()]
    auth = None
    if os.environ.get("BRIEFINGS_USER") and os.environ.get("BRIEFINGS_PASSWORD"):
        auth = (os.environ["BRIEFINGS_USER"], os.environ["BRIEFINGS_PASSWORD"])

    if urlparse(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error(f"{args.url} is not on this machine: only localhost is load-tested")
    app = None
    url = args.url
    if args.serve:
        from ui.server import serve
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        work = Path(tempfile.mkdtemp(prefix="briefings-load-"))
        app = serve([ROOT / "sample_corpus"], work / "index", port=port, uploads=work / "uploads",
                    extractive=args.extractive, block=False)
        url = f"http://127.0.0.1:{port}/"
    try:
        result = run_load(url, args.clients, args.seconds, questions, auth)
    finally:
        if app is not None:
            app.close()
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{result['clients']} clients for {result['seconds']} s against {url}")
    for label in ("questions", "retrieval"):
        r = result[label]
        print(f"  {label:>9}: {r['requests']} requests, {r['failures']} failures, "
              f"median {r['median_s']} s, p95 {r['p95_s']} s")
    for failure in result["first_failures"]:
        print(f"  failure: {failure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
