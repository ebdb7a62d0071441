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


def test_a_version_2_database_is_upgraded_to_rank_by_bm25(tmp_path, request):
    # Version 3 adds each passage's length in tokens and counts each word by text and by
    # either column, in place: a database built before searches at once, before any ingest.
    from rag.store.migrations import POSTGRES_MIGRATIONS, POSTGRES_SCHEMA_VERSION
    from rag.store.postgres import PostgresStore, connect
    from rag.store.postgres_search import PostgresKeywords

    url = make_location("postgresql", request, tmp_path)
    with connect(url) as conn:
        for migration in POSTGRES_MIGRATIONS[:2]:
            conn.execute(migration.replace("{dimension}", "3"))
        conn.execute("INSERT INTO meta VALUES ('schema_version', '2')")
        conn.execute("INSERT INTO documents VALUES ('d', '[]', 'h', 'ok', '')")
        conn.execute("INSERT INTO briefings(id, document, title, date, source, location, "
                     "fingerprint) VALUES ('b', 'd', 'T', '2031-03-04', 'x', 'l', 'f')")
        conn.execute("INSERT INTO turns(briefing, ord, speaker, role, text) VALUES "
                     "('b', 0, 'Tova Renwick', 'official', 'The seawall cost 3.2 billion.')")
        for text, question in [("The seawall cost 3.2 billion crowns.", "What did it cost?"),
                               ("Fishermen get 8,000 crowns each.", "Will the seawall pay?")]:
            conn.execute("INSERT INTO passages(turn, briefing, start, \"end\", text, speaker, "
                         "role, date, source, question, embed_key, vector) SELECT id, 'b', 0, "
                         "1, %s, 'Tova Renwick', 'official', '2031-03-04', 'x', %s, 'k', "
                         "'[1,0,0]' FROM turns", (text, question))
    store = PostgresStore(url, 3)
    try:
        assert store.get_meta("schema_version") == str(POSTGRES_SCHEMA_VERSION)
        # tokens as FTS5 counts them: runs of letters and digits in both columns
        assert [r[0] for r in store.conn.execute("SELECT tokens FROM passages ORDER BY id")] \
            == [7 + 4, 6 + 4]
        assert float(store.get_meta("average_tokens")) == 10.5
        keywords = PostgresKeywords(store.conn)
        assert (keywords.frequency("seawall"), keywords.anywhere("seawall")) == (1, 2)
        assert (keywords.frequency("8,000"), keywords.anywhere("8,000")) == (1, 1)
        assert keywords.frequency("the") == 0   # a stop word: no lexeme
        assert [pid for pid, _ in keywords.search("seawall crowns", 5)] \
            == [r[0] for r in store.conn.execute("SELECT id FROM passages ORDER BY id")]
    finally:
        store.close()
