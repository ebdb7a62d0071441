"""Ingest runs on the real index: what is stored, incremental re-ingest, kill -9, bad input."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from rag.store import open_index
from rag.store.index import Index, IndexBusy
from rag.ingest.run import ingest
from rag.search.retriever import Retriever

from conftest import FIXTURES, ROOT, copy_pipeline_corpus


def test_ingest_builds_store_and_indexes(backend_index):
    stats = backend_index.store.stats()
    assert stats["briefings"] == 3
    assert stats["date_from"] == "2031-03-04" and stats["date_to"] == "2031-06-02"
    assert stats["passages"] >= 6
    assert len(backend_index.dense()) == stats["passages"]
    # procedural turns are stored but never become passages
    turns = [r[0] for r in backend_index.store.conn.execute("SELECT text FROM turns")]
    assert "Thank you." in turns
    passages = [r[0] for r in backend_index.store.conn.execute("SELECT text FROM passages")]
    assert "Thank you." not in passages


def test_passages_are_verbatim_and_carry_context(backend_index):
    retrieval = Retriever(backend_index).search("How much did the seawall cost?", k=3)
    top = retrieval.passages[0]
    assert "3.2 billion crowns" in top.text
    assert top.speaker == "Tova Renwick" and top.role == "official"
    assert top.date == "2031-03-04"
    assert "cost" in top.question
    turn_text = backend_index.store.conn.execute(
        "SELECT t.text FROM turns t JOIN passages p ON p.turn = t.id WHERE p.id = ?",
        (top.id,)).fetchone()[0]
    assert top.text in turn_text


def test_incremental_reingest_change_and_prune(tmp_path, new_location):
    corpus = copy_pipeline_corpus(tmp_path)
    index = open_index(new_location(), create=True)
    first = ingest([corpus], index, progress=False)
    assert first.updated == 3 and first.embedded == first.passages > 0

    again = ingest([corpus], index, progress=False)
    assert again.unchanged == 3 and again.embedded == 0 and again.briefings == 0

    board = corpus / "2031-06-02-agriculture-board.txt"
    board.write_text(board.read_text().replace("4.7 million tonnes", "4.9 million tonnes"))
    changed = ingest([corpus], index, progress=False)
    assert changed.updated == 1 and changed.unchanged == 2
    assert 0 < changed.embedded < changed.passages   # the unchanged answer's vector is reused
    texts = " ".join(r[0] for r in index.store.conn.execute("SELECT text FROM passages"))
    assert "4.9 million" in texts and "4.7 million" not in texts
    assert index.store.stats()["briefings"] == 3

    board.unlink()
    kept = ingest([corpus], index, progress=False)
    assert kept.removed == 0 and index.store.stats()["briefings"] == 3
    pruned = ingest([corpus], index, prune=True, progress=False)
    assert pruned.removed == 1 and index.store.stats()["briefings"] == 2
    assert len(index.dense()) == index.store.stats()["passages"]


def _write_bulk_corpus(folder: Path, count: int) -> None:
    folder.mkdir()
    for n in range(count):
        answers = "\n\n".join(
            f"Q: What is the plan for district {n}-{q}?\n\n"
            f"Spokesperson Mira Quell: District {n}-{q} will receive {n * 7 + q} new schools. "
            f"The budget for district {n}-{q} is {n + q} million crowns over five years. "
            f"Work in district {n}-{q} begins after the rainy season ends in the north."
            for q in range(12))
        (folder / f"bulk-{n:04d}.txt").write_text(
            f"Title: Bulk briefing {n} (fictional)\nDate: January {n % 28 + 1}, 2032\n\n{answers}\n")


def _contents(index: Index) -> tuple[list, list, np.ndarray]:
    """What an index holds, independent of row ids: briefings, passages and their vectors."""
    conn = index.store.conn
    briefings = conn.execute("SELECT id, document, title, date, participants, fingerprint "
                             "FROM briefings ORDER BY id").fetchall()
    rows = conn.execute("SELECT p.briefing, t.ord, p.start, p.end, p.text, p.speaker, p.vector "
                        "FROM passages p JOIN turns t ON t.id = p.turn "
                        "ORDER BY p.briefing, t.ord, p.start").fetchall()
    # SQLite keeps a vector as bytes, PostgreSQL as a pgvector value (read as an array)
    vectors = np.array([np.frombuffer(r[-1], dtype="<f4") if isinstance(r[-1], bytes)
                        else r[-1].to_numpy() for r in rows])
    return [tuple(b) for b in briefings], [tuple(r)[:-1] for r in rows], vectors


def test_kill_9_during_ingest_keeps_committed_batches_and_the_next_run_resumes(
        tmp_path, new_location):
    corpus = copy_pipeline_corpus(tmp_path)
    bulk = tmp_path / "bulk"
    _write_bulk_corpus(bulk, 150)
    settings = tmp_path / "batches.yaml"
    settings.write_text("ingest: {batch_documents: 10}\n")
    index_dir = new_location()
    index = open_index(index_dir, create=True)
    ingest([corpus], index, progress=False)
    before = index.store.stats()["briefings"]
    index.close()

    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "--config", str(settings), "ingest", str(corpus),
         str(bulk), "--index", index_dir], cwd=ROOT, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    watcher = open_index(index_dir)
    try:
        # Wait until two batches are committed, then kill it without warning mid-batch.
        deadline = time.time() + 180
        while time.time() < deadline and watcher.store.stats()["briefings"] < before + 20:
            time.sleep(0.2)
        # A second ingest is kept out, told who holds the index.
        with pytest.raises(IndexBusy, match=f"another ingest is writing to .*pid {proc.pid}"):
            ingest([corpus], watcher, progress=False)
        time.sleep(1.0)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        done = watcher.store.stats()["briefings"] - before
    finally:
        watcher.close()
    # Only whole batches were committed, and the index answers from them.
    assert 20 <= done < 150 and done % 10 == 0, done
    after = open_index(index_dir)
    top = Retriever(after).search("How much did the seawall cost?", k=3).passages
    assert "3.2 billion crowns" in top[0].text
    # The next run reads only what was not committed, and ends where an uninterrupted run does.
    report = ingest([corpus, bulk], after, progress=False)
    assert report.updated == 150 - done and report.unchanged == done + 3
    resumed = _contents(after)
    after.close()
    whole = open_index(new_location("whole"), create=True)
    ingest([corpus, bulk], whole, progress=False)
    uninterrupted = _contents(whole)
    whole.close()
    assert resumed[0] == uninterrupted[0] and resumed[1] == uninterrupted[1]
    assert np.allclose(resumed[2], uninterrupted[2], atol=1e-5)


def test_bad_input_is_reported_by_name_and_loses_nothing(tmp_path):
    corpus = copy_pipeline_corpus(tmp_path)
    bad = {
        "empty.txt": b"",
        "binary.txt": b"\x00\x01\x02\x03" * 100,
        "notes.html": b"<html><body><h1>Opening hours</h1><p>Closed on Sundays.</p></body></html>",
        "nodate.txt": b"Title: Undated talk (fictional)\n\nQ: Any news?\n\nLeda Orm: None today, "
                      b"but the committee meets soon.\n\nQ: When?\n\nLeda Orm: Later this month.\n",
        "huge.txt": b"Speaker: words words words\n" * 2_000_000,   # ~54 MB
    }
    for name, data in bad.items():
        (corpus / name).write_bytes(data)
    latin = (FIXTURES / "pipeline" / "2031-06-02-agriculture-board.txt").read_text()
    (corpus / "latin1.txt").write_bytes(
        latin.replace("Agriculture Board", "Agriculture Board of S\u00e3o Tom\u00e9")
        .replace("June 2, 2031", "June 3, 2031").encode("latin-1"))
    shutil.copy(corpus / "2031-03-04-ministry-of-coastal-affairs.txt", corpus / "copy-of-march.txt")

    index = open_index(tmp_path / "index", create=True)
    report = ingest([corpus], index, progress=False)
    failed = {Path(p.where).name: p.reason for p in report.failed}
    skipped = {Path(p.where).name: p.reason for p in report.skipped}
    warnings = {Path(p.where).name: p.reason for p in report.warnings}
    assert "empty" in failed["empty.txt"]
    assert "binary" in failed["binary.txt"]
    assert "no date" in failed["nodate.txt"]
    assert "MB" in failed["huge.txt"]
    assert "not a transcript" in skipped["notes.html"] or "no transcript" in skipped["notes.html"]
    assert "duplicate of" in skipped["copy-of-march.txt"]
    assert "UTF-8" in warnings["latin1.txt"]
    # the good files, including the one with a bad byte, are all indexed
    assert index.store.stats()["briefings"] == 4

    result = subprocess.run([sys.executable, "-m", "rag.cli", "ingest", str(corpus), "--index",
                             str(tmp_path / "index"), "-q"], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 1
    for name in ("empty.txt", "binary.txt", "nodate.txt", "huge.txt", "notes.html"):
        line = next(l for l in result.stdout.splitlines() if name in l)
        assert str(corpus / name) in line


def test_vectors_of_another_index_are_reused_instead_of_encoding(tmp_path, new_location):
    corpus = copy_pipeline_corpus(tmp_path)
    folder = open_index(tmp_path / "folder", create=True)
    ingest([corpus], folder, progress=False)
    moved = open_index(new_location("moved"), create=True)
    report = ingest([corpus], moved, progress=False, vectors_from=folder)
    assert report.embedded == 0 and report.reused == report.passages > 0
    top = Retriever(moved).search("How much did the seawall cost?", k=1).passages[0]
    assert "3.2 billion crowns" in top.text
    assert _contents(moved)[1] == _contents(folder)[1]
    assert np.allclose(_contents(moved)[2], _contents(folder)[2], atol=1e-6)
    moved.close()
    folder.close()
