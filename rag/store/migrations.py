"""Schema migrations of both backends, all in one place.

Each entry upgrades a schema by one version; `migrate` (SQLite) and `migrate_postgres` apply
the missing ones each in its own transaction, and record the version (SQLite: PRAGMA
user_version; PostgreSQL: the meta table). The PostgreSQL schema holds the same tables as
SQLite's latest version, with keyword search on generated `tsvector` columns (GIN) and vectors
in a pgvector column (HNSW) instead of FTS5 tables and a FAISS file.
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
    # 5: how many passages hold each word, for keyword search's choice of words: counting a
    # common word's matches reads its whole posting list (9-27 ms a question at a million
    # passages). Recounted after each ingest run (Store.count_words), as on PostgreSQL.
    """
    CREATE TABLE passage_words (word TEXT PRIMARY KEY, passages INTEGER NOT NULL) WITHOUT ROWID;
    CREATE VIRTUAL TABLE temp.passage_vocab USING fts5vocab(main, passages_fts, 'col');
    INSERT INTO passage_words SELECT term, doc FROM temp.passage_vocab WHERE col = 'text';
    DROP TABLE temp.passage_vocab;
    INSERT OR REPLACE INTO meta(key, value) VALUES ('words_generation',
        COALESCE((SELECT value FROM meta WHERE key = 'generation'), '0'));
    """,
]

# The last version whose migration rebuilt a table, leaving its old pages free.
_REBUILT = 3

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
    if 0 < found < _REBUILT:
        conn.execute("VACUUM")  # an upgrade that rebuilt a table leaves the old pages free
    return found


POSTGRES_MIGRATIONS: list[str] = [
    # 1: the SQLite schema at version 4. Dates stay ISO text, so filters compare as in SQLite;
    # the roster stays JSON text, read with ::jsonb where a query needs inside it. "end" is
    # reserved in PostgreSQL, hence quoted. A passage keeps the question its turn answers, for
    # its tsvector (a generated column reads only its own row).
    """
    CREATE EXTENSION IF NOT EXISTS vector;
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE documents (
        key TEXT PRIMARY KEY, paths TEXT NOT NULL, hash TEXT NOT NULL, status TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE briefings (
        id TEXT PRIMARY KEY,
        document TEXT NOT NULL REFERENCES documents(key) ON DELETE CASCADE,
        title TEXT NOT NULL, date TEXT NOT NULL, source TEXT NOT NULL, location TEXT NOT NULL,
        chair TEXT NOT NULL DEFAULT '', participants TEXT NOT NULL DEFAULT '[]',
        fingerprint TEXT NOT NULL
    );
    CREATE INDEX briefings_document ON briefings(document);
    CREATE INDEX briefings_fingerprint ON briefings(fingerprint);
    CREATE INDEX briefings_titled ON briefings(source, date, title);
    CREATE TABLE turns (
        id BIGSERIAL PRIMARY KEY,
        briefing TEXT NOT NULL REFERENCES briefings(id) ON DELETE CASCADE,
        ord INTEGER NOT NULL, speaker TEXT NOT NULL, role TEXT NOT NULL,
        outlet TEXT NOT NULL DEFAULT '', page INTEGER NOT NULL DEFAULT 1, text TEXT NOT NULL,
        question TEXT NOT NULL DEFAULT '',
        words tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED
    );
    CREATE INDEX turns_briefing ON turns(briefing, ord);
    CREATE INDEX turns_words ON turns USING gin(words);
    CREATE TABLE passages (
        id BIGSERIAL PRIMARY KEY,
        turn BIGINT NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
        briefing TEXT NOT NULL REFERENCES briefings(id) ON DELETE CASCADE,
        start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL,
        speaker TEXT NOT NULL, role TEXT NOT NULL, date TEXT NOT NULL, source TEXT NOT NULL,
        question TEXT NOT NULL DEFAULT '',
        embed_key TEXT NOT NULL,
        vector vector({dimension}) NOT NULL,
        -- what was said weighs A, the question answered B (FTS5's column weights 1.0 / 0.35)
        words tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('english', text), 'A')
            || setweight(to_tsvector('english', question), 'B')) STORED
    );
    CREATE INDEX passages_briefing ON passages(briefing);
    CREATE INDEX passages_turn ON passages(turn);
    CREATE INDEX passages_speaker ON passages(speaker, date);
    CREATE INDEX passages_date ON passages(date);
    CREATE INDEX passages_embed_key ON passages(embed_key);
    CREATE INDEX passages_words ON passages USING gin(words);
    CREATE INDEX passages_vector ON passages USING hnsw (vector vector_ip_ops)
        WITH (m = 16, ef_construction = 64);
    """,
    # 2: how many passages hold each word (lexeme), for keyword search's choice of words and
    # their idf: counting a common word's matches costs ~100 ms a word at 32k passages (FTS5
    # keeps such counts in its index). Rebuilt from ts_stat at the end of each ingest run.
    """
    CREATE TABLE passage_words (word TEXT PRIMARY KEY, passages INTEGER NOT NULL);
    INSERT INTO passage_words SELECT word, ndoc FROM ts_stat('SELECT words FROM passages');
    """,
    # 3: keyword search ranks by FTS5's own bm25() (rag.store.postgres_search), so both backends
    # order passages alike: a passage's length in tokens as FTS5 counts them (runs of letters
    # and digits, stop words included, both columns), and two counts per word: the passages
    # whose text holds it (the choice of words, as SQLite's counts) and those holding it in
    # either column (bm25's idf, as FTS5's). Recounted after each ingest run.
    """
    ALTER TABLE passages ADD COLUMN tokens INTEGER GENERATED ALWAYS AS (
        regexp_count(text || ' ' || question, '[[:alnum:]]+')) STORED;
    DROP TABLE passage_words;
    CREATE TABLE passage_words (word TEXT PRIMARY KEY, passages INTEGER NOT NULL,
                                anywhere INTEGER NOT NULL);
    INSERT INTO passage_words SELECT a.word, COALESCE(t.ndoc, 0), a.ndoc
        FROM ts_stat('SELECT words FROM passages') a
        LEFT JOIN ts_stat('SELECT words FROM passages', 'a') t USING (word);
    INSERT INTO meta(key, value) SELECT 'average_tokens', COALESCE(AVG(tokens), 0)::text
        FROM passages ON CONFLICT (key) DO UPDATE SET value = excluded.value;
    """,
]

POSTGRES_SCHEMA_VERSION = len(POSTGRES_MIGRATIONS)


def migrate_postgres(conn, dimension: int) -> int:
    """Bring a PostgreSQL database (a psycopg connection in autocommit mode) to
    POSTGRES_SCHEMA_VERSION; returns the version found before. Processes opening one database
    at once are serialised by a transaction-level advisory lock."""
    found = None
    while True:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            version = _postgres_version(conn)
            found = version if found is None else found
            if version > POSTGRES_SCHEMA_VERSION:
                raise RuntimeError(f"index schema version {version} is newer than this "
                                   f"program's ({POSTGRES_SCHEMA_VERSION}); upgrade Briefings")
            if version == POSTGRES_SCHEMA_VERSION:
                return found
            conn.execute(POSTGRES_MIGRATIONS[version].replace("{dimension}", str(int(dimension))))
            conn.execute("INSERT INTO meta(key, value) VALUES ('schema_version', %s) ON CONFLICT "
                         "(key) DO UPDATE SET value = excluded.value", (str(version + 1),))


def _postgres_version(conn) -> int:
    if not conn.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()[0]:
        return 0
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


_MIGRATION_LOCK = 0x6272_6965_6601   # "brief" + 1: any fixed number no other program uses
