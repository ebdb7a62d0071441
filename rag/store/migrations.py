"""SQLite schema migrations, all in one place.

Each entry upgrades the schema by one version; `migrate` applies the missing ones each in its own
transaction, and records the version in PRAGMA user_version.
"""
from __future__ import annotations

import sqlite3

MIGRATIONS: list[str] = [
    # 1: documents (files read together), briefings, turns, passages, keyword index.
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE documents (
        key TEXT PRIMARY KEY,          -- first file of the group, absolute path
        paths TEXT NOT NULL,           -- JSON list of every file of the group
        hash TEXT NOT NULL,            -- sha256 over the files' bytes
        status TEXT NOT NULL,          -- 'ok', 'skipped' or 'duplicate'
        reason TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE briefings (
        id TEXT PRIMARY KEY,
        document TEXT NOT NULL REFERENCES documents(key) ON DELETE CASCADE,
        title TEXT NOT NULL,
        date TEXT NOT NULL,
        source TEXT NOT NULL,
        location TEXT NOT NULL,
        chair TEXT NOT NULL DEFAULT '',
        participants TEXT NOT NULL DEFAULT '[]',   -- JSON [{name, post, role}]
        fingerprint TEXT NOT NULL                  -- hash of the turns' normalised text
    );
    CREATE INDEX briefings_document ON briefings(document);
    CREATE INDEX briefings_fingerprint ON briefings(fingerprint);
    CREATE TABLE turns (
        id INTEGER PRIMARY KEY,
        briefing TEXT NOT NULL REFERENCES briefings(id) ON DELETE CASCADE,
        ord INTEGER NOT NULL,
        speaker TEXT NOT NULL,
        role TEXT NOT NULL,
        outlet TEXT NOT NULL DEFAULT '',
        page INTEGER NOT NULL DEFAULT 1,
        text TEXT NOT NULL,
        question TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX turns_briefing ON turns(briefing, ord);
    CREATE TABLE passages (
        id INTEGER PRIMARY KEY,
        turn INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
        briefing TEXT NOT NULL REFERENCES briefings(id) ON DELETE CASCADE,
        start INTEGER NOT NULL,        -- offsets of the passage in its turn's text
        end INTEGER NOT NULL,
        text TEXT NOT NULL,
        speaker TEXT NOT NULL,         -- copied from turn/briefing so filters need no join
        role TEXT NOT NULL,
        date TEXT NOT NULL,
        source TEXT NOT NULL,
        embed_key TEXT NOT NULL,       -- hash of the embedded input, to reuse vectors
        vector BLOB NOT NULL           -- float32 little-endian; FAISS is rebuilt from these
    );
    CREATE INDEX passages_briefing ON passages(briefing);
    CREATE INDEX passages_speaker ON passages(speaker, date);
    CREATE INDEX passages_date ON passages(date);
    CREATE INDEX passages_embed_key ON passages(embed_key);
    CREATE VIRTUAL TABLE passages_fts USING fts5(
        text, question, speaker, title,
        tokenize = 'porter unicode61 remove_diacritics 2'
    );
    """,
    # 2: deleting a turn cascades to its passages; without this index that is a full scan each.
    """
    CREATE INDEX passages_turn ON passages(turn);
    """,
    # 3: keyword search covers what was said and what was asked. Speaker and title columns made
    # a name match every passage of its briefings (30k rows scored per search on the full
    # White House corpus) for no measured gain: named speakers and dates are filters instead.
    """
    CREATE VIRTUAL TABLE passages_fts_new USING fts5(
        text, question,
        tokenize = 'porter unicode61 remove_diacritics 2'
    );
    INSERT INTO passages_fts_new(rowid, text, question) SELECT rowid, text, question FROM passages_fts;
    DROP TABLE passages_fts;
    ALTER TABLE passages_fts_new RENAME TO passages_fts;
    """,
    # 4: every turn searchable by its words (officials', journalists', the chair's), for quote
    # checks: a reporter's words put in an official's mouth are found where they were said.
    # External content: the text stays in `turns` once; triggers keep the index in step,
    # including deletes cascading from a briefing.
    """
    CREATE VIRTUAL TABLE turns_fts USING fts5(
        text, content = 'turns', content_rowid = 'id',
        tokenize = 'porter unicode61 remove_diacritics 2'
    );
    INSERT INTO turns_fts(turns_fts) VALUES ('rebuild');
    CREATE TRIGGER turns_fts_insert AFTER INSERT ON turns BEGIN
        INSERT INTO turns_fts(rowid, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER turns_fts_delete AFTER DELETE ON turns BEGIN
        INSERT INTO turns_fts(turns_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END;
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database to SCHEMA_VERSION, one atomic step per version; returns the version
    found before. The connection must be in autocommit mode (isolation_level=None)."""
    found = conn.execute("PRAGMA user_version").fetchone()[0]
    if found > SCHEMA_VERSION:
        raise RuntimeError(f"index schema version {found} is newer than this program's "
                           f"({SCHEMA_VERSION}); upgrade Briefings")
    for version in range(found, SCHEMA_VERSION):
        conn.executescript(f"BEGIN; {MIGRATIONS[version]}; PRAGMA user_version = {version + 1}; COMMIT;")
    if 0 < found < SCHEMA_VERSION:
        conn.execute("VACUUM")  # an upgrade that rebuilt a table leaves the old pages free
    return found
