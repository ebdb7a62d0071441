"""Start-up of an app server: its corpus indexed first, unless another process is writing."""
from __future__ import annotations

from rag import config
from rag.store import open_index
from ui.server import prepare_index

from conftest import copy_pipeline_corpus


def test_an_app_starting_while_another_ingest_writes_serves_what_is_committed(
        tmp_path, new_location, capsys):
    location = new_location()
    corpus = copy_pipeline_corpus(tmp_path)
    writer = open_index(location, create=True)
    with writer.writing():   # an ingest worker holding the index
        index = prepare_index([corpus], location, config.load(), progress=False)
    writer.close()
    try:
        assert index.store.stats()["briefings"] == 0
        err = capsys.readouterr().err
        assert "another ingest is writing to" in err and "serving what is committed" in err
        # Once the writer is gone, the next start indexes the corpus.
        again = prepare_index([corpus], location, config.load(), progress=False)
        assert again.store.stats()["briefings"] == 3
        again.close()
    finally:
        index.close()
