"""Time, in headless Chromium, from sending a question to the app showing its sources panel.

    python bench/ui_sources.py [--url http://127.0.0.1:7860/] [-n 10] [--questions FILE] [--json]
    python bench/ui_sources.py --serve --index DIR [--extractive]   # start `briefings serve` first

Acceptance: "Sources shown <= 1 s after a question is sent (median over 10 questions on the
evaluation corpus)". Questions: by default the first 10 of ../shared/eval/dev.jsonl that are not
"unanswerable"; --questions FILE gives others (JSON lines with "question", or one per line).

Each question starts a fresh chat ("New chat", #new-chat, empties the sources panel), so the
first source card of the answer, #src-1-1, can only be this question's. The clock starts just
before #ask is clicked and stops when that card is visible; it then runs on to the first answer
words in the chat and to the final status ("Answered ..."), which is awaited before the next
question so that questions never queue behind one another. A screenshot of the last question's
page goes to bench/out/ui_sources/.

--serve starts `briefings serve --index DIR --corpus EMPTY --port FREE` (and stops it at the
end): EMPTY is a new, empty temporary folder, so the start-up ingest finds no file and changes
nothing (ingest never removes documents unless asked to prune), and DIR is served as it is. The
uploads folder of config.yaml (ui.uploads) is still indexed if it exists, as in the real app.
Without --extractive the configured answer model is loaded, as the real app does: the sources
come before generation, but the measure is then of the real app path. Only localhost URLs.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEV_QUESTIONS = ROOT.parent / "shared" / "eval" / "dev.jsonl"
SHOTS = ROOT / "bench" / "out" / "ui_sources"
CHROMIUM = Path("/usr/bin/chromium")
# as in tests/app/test_ui_browser.py
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ERROR_TOAST = '[data-testid="toast-body"].error'
# The chat shows the status in <em> ("...; waiting for the model…", "The model is writing…")
# until the first answer words replace it.
FIRST_WORDS_JS = """() => {
    const chat = document.querySelector('#chat');
    if (!chat || !chat.innerText.trim()) return false;
    return ![...chat.querySelectorAll('em')].some(e => e.innerText.trim().endsWith('…'));
}"""
ANSWERED_JS = """() => {
    const s = document.querySelector('#status');
    return (s && s.innerText.includes('Answered')) || !!document.querySelector('%s');
}""" % ERROR_TOAST.replace("'", "\\'")
FRESH_JS = """() => !document.querySelector('#src-1-1') &&
    !(document.querySelector('#status')?.innerText || '').includes('Answered')"""


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def read_questions(path: Path, count: int) -> list[str]:
    """The first `count` answerable questions of a JSON-lines file, or of a plain list."""
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("{"):
            row = json.loads(line)
            if row.get("type") == "unanswerable" or not str(row.get("question", "")).strip():
                continue
            line = str(row["question"]).strip()
        questions.append(line)
        if len(questions) == count:
            break
    return questions


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers_200(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # localhost: no proxy
    try:
        with opener.open(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


class Server:
    """`briefings serve` on a free localhost port, over an existing index, ingesting nothing."""

    def __init__(self, index: Path, extractive: bool, start_timeout: float) -> None:
        self.work = Path(tempfile.mkdtemp(prefix="briefings-ui-sources-"))
        empty = self.work / "no-new-transcripts"
        empty.mkdir()
        port = free_port()
        self.url = f"http://127.0.0.1:{port}/"
        exe = Path(sys.executable).with_name("briefings")
        command = ([str(exe)] if exe.exists() else [sys.executable, "-m", "rag.cli"])
        command += ["serve", "--index", str(index), "--corpus", str(empty),
                    "--host", "127.0.0.1", "--port", str(port)]
        if extractive:
            command.append("--extractive")
        self.command = command
        self.log_path = self.work / "serve.log"
        self.log = open(self.log_path, "w", encoding="utf-8")
        self.proc = subprocess.Popen(command, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + start_timeout
        while not answers_200(self.url):
            if self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"briefings serve exited ({self.proc.returncode}):\n"
                                   + self.log_tail())
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"briefings serve did not answer {self.url} within "
                                   f"{start_timeout:g} s:\n" + self.log_tail())
            time.sleep(0.5)

    def log_tail(self, lines: int = 20) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Ctrl-C, as a user stops it; then SIGTERM, then SIGKILL, to this process only."""
        for sig, wait_s in ((signal.SIGINT, 20), (signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            if self.proc.poll() is not None:
                break
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=wait_s)
            except subprocess.TimeoutExpired:
                continue
        self.log.close()
        shutil.rmtree(self.work, ignore_errors=True)


def close_error_toasts(page) -> None:
    for button in page.locator(f'{ERROR_TOAST} button[aria-label^="Close"]').all():
        try:
            button.click(timeout=2_000)
        except Exception:  # already gone
            pass


def ask_one(page, question: str, turn: int, sources_timeout_s: float,
            answer_timeout_s: float) -> dict:
    """One question, in a fresh chat where the app has "New chat" (else as turn `turn`):
    seconds to the first source card, to the first answer words, to the final status."""
    close_error_toasts(page)
    if page.locator("#new-chat").count():
        page.click("#new-chat")
        page.wait_for_function(FRESH_JS, timeout=30_000)
        turn = 1
    first_card = f"#src-{turn}-1"  # ui/views.py: src-<turn>-<n>, newest turn open
    page.fill("#question textarea", question)
    row: dict = {"question": question}
    card = page.locator(first_card)
    t0 = time.perf_counter()
    page.click("#ask")
    card.or_(page.locator(ERROR_TOAST)).first.wait_for(state="visible",
                                                      timeout=sources_timeout_s * 1000)
    shown = time.perf_counter()
    if not card.is_visible():
        row["error"] = page.locator(ERROR_TOAST).first.inner_text().strip()
        return row
    row["sources_s"] = round(shown - t0, 3)
    page.wait_for_function(FIRST_WORDS_JS, timeout=answer_timeout_s * 1000)
    row["first_words_s"] = round(time.perf_counter() - t0, 3)
    page.wait_for_function(ANSWERED_JS, timeout=answer_timeout_s * 1000)
    row["answered_s"] = round(time.perf_counter() - t0, 3)
    if page.locator(ERROR_TOAST).count():
        row["error"] = page.locator(ERROR_TOAST).first.inner_text().strip()
    row["status"] = page.locator("#status").inner_text().strip()
    return row


def run_bench(url: str, questions: list[str], sources_timeout_s: float,
              answer_timeout_s: float, auth: tuple[str, str] | None) -> dict:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    rows = []
    shot = SHOTS / "last-question.png"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            if auth:  # gradio's login form sets the session cookie for this context
                context.request.post(urljoin(url, "login"),
                                     form={"username": auth[0], "password": auth[1]})
            page = context.new_page()
            page.set_default_timeout(60_000)
            errors: list[str] = []
            page.on("pageerror", lambda err: errors.append(str(err)))
            page.goto(url)
            page.wait_for_selector("#question textarea")
            for number, question in enumerate(questions, 1):
                try:
                    row = ask_one(page, question, number, sources_timeout_s,
                                  answer_timeout_s)
                except Exception as err:  # a timeout: counted, and the run goes on
                    row = {"question": question, "error": f"{type(err).__name__}: "
                                                          f"{str(err).splitlines()[0]}"}
                row["n"] = number
                rows.append(row)
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    sources = [r["sources_s"] for r in rows if "sources_s" in r]
    first = [r["first_words_s"] for r in rows if "first_words_s" in r]
    answered = [r["answered_s"] for r in rows if "answered_s" in r]

    def stats(values: list[float]) -> dict:
        return {"median_s": round(statistics.median(values), 3) if values else None,
                "p95_s": round(percentile(values, 0.95), 3) if values else None,
                "max_s": round(max(values), 3) if values else None}

    return {"url": url, "questions": len(rows), "failures": sum("error" in r for r in rows),
            "sources_shown": stats(sources), "first_words": stats(first),
            "answered": stats(answered), "page_errors": errors[:5],
            "screenshot": str(shot.relative_to(ROOT)), "per_question": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:7860/",
                        help="an app already running on this machine")
    parser.add_argument("--serve", action="store_true",
                        help="start `briefings serve` on --index first (and stop it at the end)")
    parser.add_argument("--index", help="with --serve: the index folder to serve as it is")
    parser.add_argument("--extractive", action="store_true",
                        help="with --serve: answer without the model (retrieval + rendering)")
    parser.add_argument("--questions", help="JSON lines with \"question\", or one per line "
                                            f"(default: {DEV_QUESTIONS}, answerable ones)")
    parser.add_argument("-n", type=int, default=10, help="questions to ask (default 10)")
    parser.add_argument("--sources-timeout", type=float, default=60.0,
                        help="seconds to wait for the sources of a question (default 60)")
    parser.add_argument("--answer-timeout", type=float, default=180.0,
                        help="seconds to wait for an answer to finish (default 180)")
    parser.add_argument("--start-timeout", type=float, default=600.0,
                        help="with --serve: seconds to wait for the app to answer (default 600)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON only")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("-n must be at least 1")
    if args.serve and not args.index:
        parser.error("--serve needs --index DIR")
    if args.extractive and not args.serve:
        parser.error("--extractive goes with --serve (a running app was started as it was)")
    if not args.serve and urlparse(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error(f"{args.url} is not on this machine: only localhost is measured")

    source = Path(args.questions) if args.questions else DEV_QUESTIONS
    if not source.is_file():
        if args.questions:
            parser.error(f"no such file: {source}")
        print(f"{DEV_QUESTIONS} is not there (../shared is absent): nothing to measure; "
              "give questions with --questions FILE")
        return 0
    questions = read_questions(source, args.n)
    if not questions:
        parser.error(f"no questions in {source}")
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is not installed (make browser)", file=sys.stderr)
        return 1
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        print("playwright is not installed in this environment", file=sys.stderr)
        return 1
    auth = None
    if os.environ.get("BRIEFINGS_USER") and os.environ.get("BRIEFINGS_PASSWORD"):
        auth = (os.environ["BRIEFINGS_USER"], os.environ["BRIEFINGS_PASSWORD"])

    server = None
    url = args.url
    if args.serve:
        if not args.json:
            print(f"starting briefings serve on {args.index} ...", flush=True)
        try:
            server = Server(Path(args.index), args.extractive, args.start_timeout)
        except RuntimeError as err:
            print(err, file=sys.stderr)
            return 1
        url = server.url
    elif not answers_200(url):
        print(f"{url} does not answer (start the app, or use --serve --index DIR)",
              file=sys.stderr)
        return 1
    try:
        result = run_bench(url, questions, args.sources_timeout, args.answer_timeout, auth)
    finally:
        if server is not None:
            server.stop()
    result["questions_from"] = str(source)
    result["mode"] = ("extractive" if args.extractive else "model") if args.serve else "as running"
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{result['questions']} questions against {url} ({result['mode']}), from {source}")
    for row in result["per_question"]:
        if "sources_s" in row:
            print(f"  {row['n']:>2}. sources {row['sources_s']:6.3f} s, first words "
                  f"{row.get('first_words_s', float('nan')):6.3f} s, answered "
                  f"{row.get('answered_s', float('nan')):6.3f} s  {row['question'][:70]}")
        if "error" in row:
            print(f"  {row['n']:>2}. FAILED: {row['error'][:200]}  ({row['question'][:60]})")
    for label in ("sources_shown", "first_words", "answered"):
        s = result[label]
        print(f"  {label:>13}: median {s['median_s']} s, p95 {s['p95_s']} s, max {s['max_s']} s")
    if result["failures"]:
        print(f"  failures: {result['failures']}")
    for err in result["page_errors"]:
        print(f"  page error: {err}")
    print(f"  screenshot: {result['screenshot']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
