"""The index on real components: SQLite + FTS5, FAISS, the packaged MiniLM embedder."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.filters import Filters
from rag.store.index import Index, IndexUnusable
from rag.ingest.run import ingest
from rag.search.retriever import Retriever

from conftest import FIXTURES, ROOT


def test_ingest_builds_store_and_indexes(pipeline_index):
    stats = pipeline_index.store.stats()
    assert stats["briefings"] == 3
    assert stats["date_from"] == "2031-03-04" and stats["date_to"] == "2031-06-02"
    assert stats["passages"] >= 6
    assert len(pipeline_index.dense()) == stats["passages"]
    # procedural turns are stored but never become passages
    turns = [r[0] for r in pipeline_index.store.conn.execute("SELECT text FROM turns")]
    assert "Thank you." in turns
    passages = [r[0] for r in pipeline_index.store.conn.execute("SELECT text FROM passages")]
    assert "Thank you." not in passages


def test_passages_are_verbatim_and_carry_context(pipeline_index):
    retrieval = Retriever(pipeline_index).search("How much did the seawall cost?", k=3)
    top = retrieval.passages[0]
    assert "3.2 billion crowns" in top.text
    assert top.speaker == "Tova Renwick" and top.role == "official"
    assert top.date == "2031-03-04"
    assert "cost" in top.question
    turn_text = pipeline_index.store.conn.execute(
        "SELECT t.text FROM turns t JOIN passages p ON p.turn = t.id WHERE p.id = ?",
        (top.id,)).fetchone()[0]
    assert top.text in turn_text


def test_keyword_and_meaning_both_find(pipeline_index):
    retriever = Retriever(pipeline_index)
    by_number = retriever.search("11,500", k=3).passages
    assert "11,500 crowns" in by_number[0].text
    by_meaning = retriever.search("grain crop output this season", k=3).passages
    assert "barley harvest" in by_meaning[0].text


def test_filters_apply_inside_the_search(pipeline_index):
    retriever = Retriever(pipeline_index)
    only = retriever.search("seawall", k=5, filters=Filters(speakers=["Osric Vanterpool"]))
    assert only.passages and all(p.speaker == "Osric Vanterpool" for p in only.passages)
    dated = retriever.search("compensation for fishermen", k=5,
                             filters=Filters(date_from="2031-05-01", date_to="2031-05-31"))
    assert dated.passages and all(p.date.startswith("2031-05") for p in dated.passages)
    assert "11,500" in dated.passages[0].text


def test_question_hints_lift_the_named_speaker_and_month(pipeline_index):
    retrieval = Retriever(pipeline_index).search(
        "What did Tova Renwick say about fishermen compensation in May 2031?", k=3)
    assert retrieval.hints.speakers == ["Tova Renwick"]
    assert retrieval.passages[0].date == "2031-05-12"


def _copy_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "pipeline", corpus)
    return corpus


def test_incremental_reingest_change_and_prune(tmp_path):
    corpus = _copy_corpus(tmp_path)
    index = Index.open(tmp_path / "index", create=True)
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


def test_opening_with_another_model_is_a_clear_error(tmp_path):
    index = Index.open(tmp_path / "index", create=True)
    index.close()
    manifest = tmp_path / "index" / "manifest.json"
    data = json.loads(manifest.read_text())
    data["embedding_model"] = "some/other-model"
    manifest.write_text(json.dumps(data))
    with pytest.raises(IndexUnusable, match="other-model"):
        Index.open(tmp_path / "index")


def test_missing_dense_file_is_rebuilt_from_the_store(tmp_path):
    index = Index.open(tmp_path / "index", create=True)
    ingest([_copy_corpus(tmp_path)], index, progress=False)
    for f in (tmp_path / "index").glob("dense-*.faiss"):
        f.unlink()
    reopened = Index.open(tmp_path / "index")
    assert "3.2 billion" in Retriever(reopened).search("seawall cost", k=1).passages[0].text
    assert list((tmp_path / "index").glob("dense-*.faiss"))


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


def test_kill_9_during_ingest_leaves_previous_index_answering(tmp_path):
    corpus = _copy_corpus(tmp_path)
    index_dir = tmp_path / "index"
    index = Index.open(index_dir, create=True)
    ingest([corpus], index, progress=False)
    before = index.store.stats()
    index.close()

    bulk = tmp_path / "bulk"
    _write_bulk_corpus(bulk, 150)
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "ingest", str(corpus), str(bulk), "--index",
         str(index_dir)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Wait until it is embedding (well into its work), then kill it without warning.
    deadline = time.time() + 120
    seen = b""
    while time.time() < deadline and b"embedding" not in seen:
        seen += os.read(proc.stderr.fileno(), 4096)
    assert b"embedding" in seen, seen[-500:]
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    after = Index.open(index_dir)
    assert after.store.stats()["briefings"] == before["briefings"]
    top = Retriever(after).search("How much did the seawall cost?", k=3).passages
    assert "3.2 billion crowns" in top[0].text
    # and the next ingest completes the interrupted work
    report = ingest([corpus, bulk], after, progress=False)
    assert report.updated == 150 and after.store.stats()["briefings"] == before["briefings"] + 150


def test_bad_input_is_reported_by_name_and_loses_nothing(tmp_path):
    corpus = _copy_corpus(tmp_path)
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

    index = Index.open(tmp_path / "index", create=True)
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


def test_same_conference_in_two_editions_is_indexed_once(tmp_path):
    corpus = _copy_corpus(tmp_path)
    original = (corpus / "2031-06-02-agriculture-board.txt").read_text()
    # Another translation of the same briefing: same title and date, partly different wording.
    edition = (original.replace("reached 4.7 million tonnes", "came to 4.7 million tonnes")
               .replace("Rainfall in April was", "April rainfall was")
               .replace("will be lifted on July 1", "is to be lifted on July 1"))
    (corpus / "zz-second-edition.txt").write_text(edition)
    index = Index.open(tmp_path / "index", create=True)
    report = ingest([corpus], index, progress=False)
    skipped = {Path(p.where).name: p.reason for p in report.skipped}
    assert "another edition" in skipped["zz-second-edition.txt"]
    assert "2031-06-02-agriculture-board.txt" in skipped["zz-second-edition.txt"]
    assert index.store.stats()["briefings"] == 3


def test_same_words_published_at_two_addresses_are_two_briefings(tmp_path):
    corpus = tmp_path / "wh"
    corpus.mkdir()
    page = next((FIXTURES / "whitehouse" / "press-briefings").rglob("*.md"))
    text = page.read_text()
    (corpus / page.name).write_text(text)
    shutil.copy(corpus / page.name, corpus / "saved-again.md")  # one page saved twice
    # The publisher posting the same words again under another title and address.
    (corpus / "remarks.md").write_text(
        text.replace("/press-briefings/2022/05/06/press-briefing-by",
                     "/speeches-remarks/2022/05/06/remarks-by")
        .replace('title: "Press Briefing by', 'title: "Remarks by'))
    index = Index.open(tmp_path / "index", create=True)
    report = ingest([corpus], index, progress=False)
    skipped = {Path(p.where).name: p.reason for p in report.skipped}
    assert list(skipped) == ["saved-again.md"] and "same date and text" in skipped["saved-again.md"]
    titles = [r[0] for r in index.store.conn.execute("SELECT title FROM briefings ORDER BY title")]
    assert len(titles) == 2 and titles[0].startswith("Press Briefing") \
        and titles[1].startswith("Remarks")


def test_caller_filters_stay_hard_when_the_question_names_someone_else(pipeline_index):
    retrieval = Retriever(pipeline_index).search(
        "What did Tova Renwick say about compensation?", k=5,
        filters=Filters(speakers=["Osric Vanterpool"]))
    assert retrieval.passages
    assert {p.speaker for p in retrieval.passages} == {"Osric Vanterpool"}


def test_keyword_search_keeps_a_long_querys_rarest_words(pipeline_index):
    from rag.store.keywords import KeywordSearch
    keywords = KeywordSearch(pipeline_index.store.conn, common_share=1.0, keep=1,
                             from_passages=0, most=2)
    query = "ministry seawall Renwick fishermen compensation crowns coast"
    chosen = keywords.selected_terms(query)
    counts = {w: keywords.frequency(w) for w in ("ministry", "seawall", "renwick", "fishermen",
                                                 "compensation", "crowns", "coast")}
    assert len(chosen) == 2
    assert sorted(counts[w] for w in chosen) == sorted(counts.values())[:2]
    assert chosen == [w for w in counts if w in chosen]   # in the query's order


@pytest.mark.corpus
def test_real_duplicates_one_edition_dropped_one_republication_kept(tmp_path):
    from conftest import shared_path
    mfa = shared_path("corpora", "mfa")
    wh = shared_path("corpora", "whitehouse", "press-briefings", "2024-03")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    # Geng Shuang's 29 April 2019 conference in two translations: one conference.
    for name in ("t1659619.shtml", "t1660057.shtml"):
        shutil.copy(mfa / name, corpus / name)
    # The White House's 15 March 2024 briefing, posted with the same words as a "press briefing"
    # and as "remarks" at two addresses: two publications, both kept.
    twins = sorted(wh.glob("2024-03-15-*karine-jean-pierre-and-white-house-nation*"))
    assert len(twins) == 2
    for path in twins:
        shutil.copy(path, corpus / path.name)
    index = Index.open(tmp_path / "index", create=True)
    report = ingest([corpus], index, progress=False)
    skipped = {Path(p.where).name: p.reason for p in report.skipped}
    assert list(skipped) == ["t1660057.shtml"] and "another edition" in skipped["t1660057.shtml"]
    assert index.store.stats()["briefings"] == 3


def test_an_older_schema_is_upgraded_in_place_and_stays_searchable(tmp_path):
    import sqlite3

    from rag.store.migrations import MIGRATIONS, SCHEMA_VERSION
    from rag.store.keywords import KeywordSearch
    from rag.store.sqlite import Store

    path = tmp_path / "briefings.sqlite"
    old = sqlite3.connect(path, isolation_level=None)
    for version, script in enumerate(MIGRATIONS[:2], start=1):  # an index made at version 2
        old.executescript(f"BEGIN; {script}; PRAGMA user_version = {version}; COMMIT;")
    old.executescript("""
        INSERT INTO documents VALUES ('a.txt', '["a.txt"]', 'h', 'ok', '');
        INSERT INTO briefings VALUES ('b1', 'a.txt', 'Harbour briefing', '2031-03-04', 'generic',
                                      'a.txt', '', '[]', 'f');
        INSERT INTO turns VALUES (1, 'b1', 0, 'Tova Renwick', 'official', '', 1,
                                  'The seawall costs 3.2 billion crowns.', 'What does it cost?');
        INSERT INTO passages VALUES (7, 1, 'b1', 0, 37, 'The seawall costs 3.2 billion crowns.',
                                     'Tova Renwick', 'official', '2031-03-04', 'generic', 'k', x'');
        INSERT INTO passages_fts(rowid, text, question, speaker, title)
            VALUES (7, 'The seawall costs 3.2 billion crowns.', 'What does it cost?',
                    'Tova Renwick', 'Harbour briefing');
    """)
    old.close()

    store = Store(path)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    columns = [r[1] for r in store.conn.execute("PRAGMA table_info(passages_fts)")]
    assert columns == ["text", "question"]
    keywords = KeywordSearch(store.conn)
    assert [pid for pid, _ in keywords.search("seawall", 5)] == [7]
    assert [pid for pid, _ in keywords.search("cost", 5, Filters(speakers=["Tova Renwick"]))] == [7]
    assert keywords.search("Renwick harbour", 5) == []   # names and titles are filters, not words
