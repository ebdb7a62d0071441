"""Schema migrations: an index made at an older version is upgraded in place."""
from __future__ import annotations

from rag.filters import Filters


def test_an_older_schema_is_upgraded_in_place_and_stays_searchable(tmp_path):
    import sqlite3

    from rag.store.migrations import MIGRATIONS, SCHEMA_VERSION
    from rag.store.keywords import KeywordSearch, TurnKeywords
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
    # every turn, the journalist's too, became searchable by its words (quote checks)
    turns = TurnKeywords(store.conn)
    assert turns.containing([("seawall", "costs", "3", "2")], 5) == [1]
    assert turns.sharing("billion crowns", 5) == [1]
    # and stays in step: a deleted briefing leaves no turn behind in the word index
    with store.transaction():
        store.delete_document("a.txt")
    assert turns.containing([("seawall",)], 5) == []
