"""Opening an index: a different embedding model is refused, a missing dense file rebuilt."""
from __future__ import annotations

import json

import pytest

from rag.store.folder import FolderIndex
from rag.store import open_index
from rag.store.index import IndexUnusable
from rag.ingest.run import ingest
from rag.search.retriever import Retriever

from conftest import copy_pipeline_corpus


def test_opening_with_another_model_is_a_clear_error(tmp_path):
    index = open_index(tmp_path / "index", create=True)
    index.close()
    manifest = tmp_path / "index" / "manifest.json"
    data = json.loads(manifest.read_text())
    data["embedding_model"] = "some/other-model"
    manifest.write_text(json.dumps(data))
    with pytest.raises(IndexUnusable, match="other-model"):
        open_index(tmp_path / "index")


def test_missing_dense_file_is_rebuilt_from_the_store(tmp_path):
    index = open_index(tmp_path / "index", create=True)
    ingest([copy_pipeline_corpus(tmp_path)], index, progress=False)
    for f in (tmp_path / "index").glob("dense-*.faiss"):
        f.unlink()
    reopened = open_index(tmp_path / "index")
    assert "3.2 billion" in Retriever(reopened).search("seawall cost", k=1).passages[0].text
    assert list((tmp_path / "index").glob("dense-*.faiss"))


def test_while_an_ingest_writes_searches_use_the_last_file_and_the_passages_since(
        tmp_path, monkeypatch):
    from rag.store.vectors import DenseIndex, GrowingIndex

    corpus = copy_pipeline_corpus(tmp_path)
    index = open_index(tmp_path / "index", create=True)
    ingest([corpus], index, progress=False)
    first = set((tmp_path / "index").glob("dense-*.faiss"))
    # The next batches are committed, but their ingest has not yet written its FAISS file.
    (tmp_path / "later").mkdir()
    (tmp_path / "later" / "dunes.txt").write_text(
        "Title: Dune briefing (fictional)\nDate: July 2, 2031\n\n"
        "Q: What happens to the dunes at Varsund?\n\n"
        "Mira Holm: The dunes at Varsund will be planted with marram grass from August.\n\n"
        "Q: And the beach huts?\n\nMira Holm: The beach huts stay where they are.\n")
    monkeypatch.setattr(FolderIndex, "write_dense", lambda self, generation: None)
    ingest([corpus, tmp_path / "later"], index, progress=False)
    monkeypatch.undo()
    writer = open_index(tmp_path / "index")
    with writer.writing():  # the ingest still running
        reader = open_index(tmp_path / "index")
        dense = reader.dense()
        assert isinstance(dense, GrowingIndex) and len(dense) == reader.store.stats()["passages"]
        top = Retriever(reader).search("marram grass on the dunes", k=1).passages[0]
        assert "marram grass" in top.text
        assert set((tmp_path / "index").glob("dense-*.faiss")) == first  # no rebuild
        reader.close()
    # The ingest gone without writing its file (a crash): the next reader rebuilds it.
    after = open_index(tmp_path / "index")
    assert isinstance(after.dense(), DenseIndex)
    assert (tmp_path / "index" / f"dense-{after.generation}.faiss").exists()
    writer.close()
    after.close()
    index.close()


def test_a_filter_too_wide_to_list_takes_the_nearest_of_all_then_applies_it(tmp_path):
    from rag import config
    from rag.filters import Filters
    from rag.store.vectors import Wide

    settings = tmp_path / "wide.yaml"
    settings.write_text("search: {hnsw_from: 1, exact_filter_most: 2}\n")
    index = open_index(tmp_path / "index", create=True, settings=config.load(settings))
    ingest([copy_pipeline_corpus(tmp_path)], index, progress=False)
    retriever = Retriever(index)
    officials = Filters(roles=["official"], date_from="2031-03-01", date_to="2031-05-31")
    allowed = index.allowed(officials)
    assert isinstance(allowed, Wide)
    narrow = index.allowed(Filters(speakers=["Osric Vanterpool"]))
    assert not isinstance(narrow, Wide) and len(narrow) <= 2
    # the graph's nearest, kept by the filter, best first: what an exact search finds
    vector = retriever.embed_query("How much did the seawall cost?")
    exact = index.dense().search(vector, 3, index.store.passage_ids(officials))
    graph = index.dense().search(vector, 3, allowed)
    assert [i for i, _ in graph] == [i for i, _ in exact]
    assert [s for _, s in graph] == pytest.approx([s for _, s in exact], abs=1e-5)
    found = retriever.search("How much did the seawall cost?", k=3, filters=officials).passages
    assert found and all(officials.admits(p) for p in found)
    assert "3.2 billion crowns" in found[0].text
    index.close()


def test_a_wide_filter_is_checked_by_each_passage_id_not_by_its_whole_index_range(tmp_path):
    """A busy speaker at a million passages has 158,000 entries in the speaker index: the
    ids the graph found are looked up one by one, whatever the planner would prefer."""
    from rag.filters import Filters

    index = open_index(tmp_path / "index", create=True)
    ingest([copy_pipeline_corpus(tmp_path)], index, progress=False)
    store = index.store
    ids = [r[0] for r in store.conn.execute("SELECT id FROM passages ORDER BY id")]
    speaker = Filters(speakers=["Tova Renwick"], date_from="2031-01-01")
    assert store.admitted(ids, speaker) == {int(i) for i in store.passage_ids(speaker)}
    traced: list[str] = []
    store.conn.set_trace_callback(traced.append)
    try:
        store.admitted(ids[:3], speaker)
    finally:
        store.conn.set_trace_callback(None)
    plan = " ".join(str(tuple(r)) for r in store.conn.execute(
        f"EXPLAIN QUERY PLAN {traced[-1]}"))
    assert "INTEGER PRIMARY KEY" in plan and "passages_speaker" not in plan
    index.close()
