"""What only the PostgreSQL backend has: opening a database, its manifest, one-line errors.
(The behaviour both backends share is tested on both: the tests taking `new_location` or a
parametrised index fixture.)"""
from __future__ import annotations

import json
from urllib.parse import urlsplit, urlunsplit

import pytest

from rag.store import open_index
from rag.store.index import IndexUnusable
from rag.store.postgres import redacted

from conftest import make_location


def test_a_database_is_refused_when_empty_built_for_another_model_or_missing(tmp_path, request):
    url = make_location("postgresql", request, tmp_path)
    with pytest.raises(IndexUnusable, match="no index in .*run `briefings ingest"):
        open_index(url)
    index = open_index(url, create=True)
    manifest = json.loads(index.store.get_meta("manifest"))
    index.store.set_meta("manifest", json.dumps({**manifest, "embedding_model": "other/model"}))
    index.close()
    with pytest.raises(IndexUnusable, match="other/model"):
        open_index(url)
    missing = urlunsplit(urlsplit(url)._replace(path="/no_such_database"))
    with pytest.raises(IndexUnusable, match='cannot connect to .*"no_such_database" does not '
                                           "exist") as raised:
        open_index(missing, create=True)
    assert "\n" not in str(raised.value)


def test_a_password_is_never_shown():
    assert redacted("postgresql://ann:s3cret@db.example:5432/briefings") \
        == "postgresql://ann:***@db.example:5432/briefings"
    assert redacted("postgresql://postgres:@/briefings?host=/tmp/pg") \
        == "postgresql://postgres:***@/briefings?host=/tmp/pg"
    assert redacted("postgresql://db.example/briefings") == "postgresql://db.example/briefings"
