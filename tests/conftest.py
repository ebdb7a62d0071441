"""Shared test fixtures: paths to fixtures and ../shared, and small real indexes."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test when the data is absent (a fresh clone)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present")
    return path


def copy_pipeline_corpus(tmp_path: Path) -> Path:
    """A fresh copy of the small fictional corpus under tmp_path, for a test that changes it."""
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "pipeline", corpus)
    return corpus


@pytest.fixture(scope="session")
def pipeline_corpus(tmp_path_factory) -> Path:
    """A writable copy of the small fictional corpus."""
    target = tmp_path_factory.mktemp("corpus")
    for f in (FIXTURES / "pipeline").iterdir():
        shutil.copy(f, target / f.name)
    return target


# The storage backends every backend test runs on (rag.store: a folder, or PostgreSQL).
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory):
    """A real PostgreSQL 16 server with pgvector (the pgserver wheel) for the session, on a unix
    socket in a temporary folder, stopped afterwards. Skips, with the reason, when none can
    be started."""
    from rag.store.postgres import local_server
    try:
        server = local_server(tmp_path_factory.mktemp("postgres"))
    except Exception as err:  # any reason at all: the message says which
        pytest.skip(f"no PostgreSQL server could be started: {type(err).__name__}: {err}")
    yield server
    server.cleanup()


_databases = iter(range(1, 10**6))


def make_location(backend: str, request, folder: Path) -> str:
    """A fresh, empty index location on `backend`: the folder, or a new database."""
    if backend == "sqlite":
        return str(folder)
    from rag.store.postgres import database
    return database(request.getfixturevalue("postgres_server").get_uri(),
                    f"index{next(_databases)}")


@pytest.fixture(params=BACKENDS)
def new_location(request, tmp_path):
    """A factory of fresh, empty index locations on each backend in turn: new_location(name)."""
    return lambda name="index": make_location(request.param, request, tmp_path / name)


def _pipeline_index(backend: str, request, folder: Path):
    from rag.store import open_index
    from rag.ingest.run import ingest

    index = open_index(make_location(backend, request, folder), create=True)
    report = ingest([request.getfixturevalue("pipeline_corpus")], index, progress=False)
    assert not report.failed, report.failed
    return index


@pytest.fixture(scope="session")
def pipeline_index(request, tmp_path_factory):
    """A real index (SQLite + FAISS + MiniLM) over the fictional corpus, shared read-only."""
    return _pipeline_index("sqlite", request, tmp_path_factory.mktemp("index"))


@pytest.fixture(scope="session", params=BACKENDS)
def backend_index(request, tmp_path_factory):
    """The same index on each backend in turn (SQLite + FAISS, PostgreSQL + pgvector): for the
    tests of what a backend must do alike (store, keyword and dense search, filters)."""
    return _pipeline_index(request.param, request, tmp_path_factory.mktemp("index"))


@pytest.fixture(scope="session")
def timeline_index(tmp_path_factory):
    """A real index of the fictional waterways briefings (tests/fixtures/timeline/README): a
    speaker who spoke on one topic in ten briefings over a year."""
    from rag.store import open_index
    from rag.ingest.run import ingest

    index = open_index(tmp_path_factory.mktemp("timeline-index"), create=True)
    report = ingest([FIXTURES / "timeline"], index, progress=False)
    assert not report.failed, report.failed
    return index
