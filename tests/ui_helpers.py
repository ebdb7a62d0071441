"""Shared by the UI tests: a running app on an index of sample_corpus, and a stand-in model.

The stand-in (`QuotingGenerator`) answers from the passages in its prompt, quoting the first
sentence of the first two with their markers, word by word with a pause, and can be held at
a gate: tests see what the app shows before and while the model writes, deterministically.
"""
from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from rag.answer.refusals import REFUSAL

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CORPUS = ROOT / "sample_corpus"


class QuotingGenerator:
    name = "quoting"
    concurrency = 1

    def __init__(self, delay_s: float = 0.05) -> None:
        self.delay_s = delay_s
        self.gate = threading.Event()
        self.gate.set()
        self.calls = 0
        self.writing = 0        # replies being written now ...
        self.most_at_once = 0   # ... and the most ever written at the same time
        self._count = threading.Lock()

    def reply(self, messages: list[dict]) -> str:
        user = messages[-1]["content"]
        quotes = []
        evidence = user.split("<evidence>")[-1].split("</evidence>")[0]
        for marker, said in re.findall(r"^\[(\d+)\] [^:\n]+: (.*)$", evidence, re.M)[:2]:
            first = re.split(r"(?<=[.!?])\s+", said.strip())[0]
            quotes.append(f'The speaker said: "{first}" [{marker}]')
        return " ".join(quotes) or REFUSAL

    def stream(self, messages: list[dict], max_tokens: int,
               temperature: float = 0.0) -> Iterator[str]:
        with self._count:
            self.calls += 1
            self.writing += 1
            self.most_at_once = max(self.most_at_once, self.writing)
        try:
            self.gate.wait(timeout=60)
            for word in re.findall(r"\S+\s*", self.reply(messages)):
                time.sleep(self.delay_s)
                yield word
        finally:
            with self._count:
                self.writing -= 1

    def count_tokens(self, text: str) -> int:
        return len(text.split())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningApp:
    url: str
    app: object
    uploads: Path
    generator: QuotingGenerator | None


def start_app(workdir: Path, generator: QuotingGenerator | None = None,
              extractive: bool = False, corpus: Path = SAMPLE_CORPUS) -> RunningApp:
    """The app served in this process on a free port, over a fresh index of `corpus`."""
    from ui.server import serve

    port = free_port()
    uploads = workdir / "uploads"
    app = serve([corpus], workdir / "index", port=port, uploads=uploads,
                extractive=extractive, generator=generator, block=False)
    return RunningApp(f"http://127.0.0.1:{port}/", app, uploads, generator)
