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


@pytest.fixture(scope="session")
def pipeline_index(pipeline_corpus, tmp_path_factory):
    """A real index (SQLite + FAISS + MiniLM) over the fictional corpus, shared read-only."""
    from rag.store.index import Index
    from rag.ingest.run import ingest

    index = Index.open(tmp_path_factory.mktemp("index"), create=True)
    report = ingest([pipeline_corpus], index, progress=False)
    assert not report.failed, report.failed
    return index


@pytest.fixture(scope="session")
def timeline_index(tmp_path_factory):
    """A real index of the fictional waterways briefings (tests/fixtures/timeline/README): a
    speaker who spoke on one topic in ten briefings over a year."""
    from rag.store.index import Index
    from rag.ingest.run import ingest

    index = Index.open(tmp_path_factory.mktemp("timeline-index"), create=True)
    report = ingest([FIXTURES / "timeline"], index, progress=False)
    assert not report.failed, report.failed
    return index
