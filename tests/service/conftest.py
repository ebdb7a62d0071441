"""A real service for the service tests: the FastAPI app of rag.service served by uvicorn on a
free 127.0.0.1 port, over a real index of sample_corpus (SQLite, FAISS, MiniLM), answering with
the quoting stand-in model of tests/ui_helpers.py unless a test needs another."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import pytest
import uvicorn

from rag.api import Briefings
from rag.service.access import Access
from rag.service.app import create_app
from ui_helpers import SAMPLE_CORPUS, QuotingGenerator, free_port


@dataclass
class Served:
    url: str
    briefings: Briefings
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def serve(briefings: Briefings, access: Access = Access(), extractive: bool = False,
          host: str = "127.0.0.1") -> Served:
    port = free_port()
    app = create_app(briefings, access, extractive=extractive, host=host)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the service did not start"
        time.sleep(0.05)
    return Served(f"http://127.0.0.1:{port}", briefings, server, thread)


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory):
    """A real index of sample_corpus, shared read-only by the service tests."""
    from rag.store import open_index
    from rag.ingest.run import ingest

    index = open_index(tmp_path_factory.mktemp("service-index"), create=True)
    report = ingest([SAMPLE_CORPUS], index, progress=False)
    assert not report.failed, report.failed
    yield index
    index.close()


def with_model(index, generator) -> Briefings:
    """Briefings over the shared index answering with `generator`."""
    return Briefings(index, generator)


@pytest.fixture(scope="module")
def service(sample_index):
    """The service with the quoting stand-in model, open to loopback clients without a key."""
    served = serve(with_model(sample_index, QuotingGenerator(delay_s=0)))
    yield served
    served.stop()
