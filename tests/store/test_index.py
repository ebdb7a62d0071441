"""Opening an index: a different embedding model is refused, a missing dense file rebuilt."""
from __future__ import annotations

import json

import pytest

from rag.store.index import Index, IndexUnusable
from rag.ingest.run import ingest
from rag.search.retriever import Retriever

from conftest import copy_pipeline_corpus


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
    ingest([copy_pipeline_corpus(tmp_path)], index, progress=False)
    for f in (tmp_path / "index").glob("dense-*.faiss"):
        f.unlink()
    reopened = Index.open(tmp_path / "index")
    assert "3.2 billion" in Retriever(reopened).search("seawall cost", k=1).passages[0].text
    assert list((tmp_path / "index").glob("dense-*.faiss"))
