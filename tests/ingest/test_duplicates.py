"""Duplicates at ingest: another edition of a briefing is dropped, a republication is kept."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rag.store import open_index
from rag.ingest.run import ingest

from conftest import FIXTURES, copy_pipeline_corpus


def test_same_conference_in_two_editions_is_indexed_once(tmp_path, new_location):
    corpus = copy_pipeline_corpus(tmp_path)
    original = (corpus / "2031-06-02-agriculture-board.txt").read_text()
    # Another translation of the same briefing: same title and date, partly different wording.
    edition = (original.replace("reached 4.7 million tonnes", "came to 4.7 million tonnes")
               .replace("Rainfall in April was", "April rainfall was")
               .replace("will be lifted on July 1", "is to be lifted on July 1"))
    (corpus / "zz-second-edition.txt").write_text(edition)
    index = open_index(new_location(), create=True)
    report = ingest([corpus], index, progress=False)
    skipped = {Path(p.where).name: p.reason for p in report.skipped}
    assert "another edition" in skipped["zz-second-edition.txt"]
    assert "2031-06-02-agriculture-board.txt" in skipped["zz-second-edition.txt"]
    assert index.store.stats()["briefings"] == 3


def test_same_words_published_at_two_addresses_are_two_briefings(tmp_path, new_location):
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
    index = open_index(new_location(), create=True)
    report = ingest([corpus], index, progress=False)
    skipped = {Path(p.where).name: p.reason for p in report.skipped}
    assert list(skipped) == ["saved-again.md"] and "same date and text" in skipped["saved-again.md"]
    titles = [r[0] for r in index.store.conn.execute("SELECT title FROM briefings ORDER BY title")]
    assert len(titles) == 2 and titles[0].startswith("Press Briefing") \
        and titles[1].startswith("Remarks")


@pytest.mark.corpus
def test_real_duplicates_one_edition_dropped_one_republication_kept(tmp_path, new_location):
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
    index = open_index(new_location(), create=True)
    report = ingest([corpus], index, progress=False)
    skipped = {Path(p.where).name: p.reason for p in report.skipped}
    assert list(skipped) == ["t1660057.shtml"] and "another edition" in skipped["t1660057.shtml"]
    assert index.store.stats()["briefings"] == 3
