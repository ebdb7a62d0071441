"""The PostgreSQL backend: the same tables as SQLite in one database, pgvector for vectors.

Several app processes and one ingest at a time share one database: searches read committed
rows (an ingest's batch is visible when it commits), and an ingest holds a session-level
advisory lock, which PostgreSQL releases when its connection ends, however the process ends.
Keyword search runs on generated tsvector columns (GIN), dense search on a vector column
(HNSW for unfiltered searches, exact scoring under filters): rag.store.postgres_search.

    briefings ingest corpus/ --index postgresql://user@host/dbname
"""
from __future__ import annotations

import json
import os
import socket
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit, urlunsplit

import numpy as np

from rag import config
from rag.filters import Filters
from rag.records import Briefing
from rag.store.index import Index, IndexBusy, IndexUnusable, acquired
from rag.store.migrations import migrate_postgres
from rag.store.sqlite import Store

_INGEST_LOCK = 0x6272_6965_6602   # the advisory lock key an ingest holds ("brief" + 2)


class _Row(tuple):
    """A row readable by position and by column name, as sqlite3.Row is."""

    def __new__(cls, values: Any, names: dict[str, int]) -> "_Row":
        row = super().__new__(cls, values)
        row.names = names
        return row

    def __getitem__(self, key):  # type: ignore[override]
        return super().__getitem__(self.names[key] if isinstance(key, str) else key)


def _rows(cursor):
    names = {column.name: i for i, column in enumerate(cursor.description or [])}
    return lambda values: _Row(values, names)


class _Connection:
    """A psycopg connection that takes the store's SQL as written for SQLite: '?' placeholders
    (the SQL holds no '?' in a string literal), a literal '%' as itself."""

    def __init__(self, raw) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Any = ()):
        return self.raw.execute(sql.replace("%", "%%").replace("?", "%s"), params)

    def close(self) -> None:
        self.raw.close()


def connect(url: str):
    """A psycopg connection in autocommit mode (transactions are explicit); a failure to
    connect is one line naming the database."""
    import psycopg

    try:
        return psycopg.connect(url, autocommit=True, row_factory=_rows)
    except psycopg.OperationalError as err:
        message = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise IndexUnusable(f"cannot connect to {redacted(url)}: {message}") from None


def redacted(url: str) -> str:
    """A database URL without its password, to show."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def local_server(folder: Path):
    """A PostgreSQL 16 server with pgvector from the pgserver wheel, its data in `folder`
    (created on first use), listening on a unix socket there only. Returns pgserver's handle
    (`.get_uri()`, `.cleanup()`); the server stops when the last process using it ends."""
    import pgserver

    folder = Path(folder).expanduser().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return pgserver.get_server(folder, cleanup_mode="stop")


def database(server_url: str, name: str) -> str:
    """The URL of database `name` on the server at `server_url`, created when missing."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(server_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


class PostgresStore(Store):
    """Store's reads and writes on PostgreSQL: where the SQL differs, it is overridden here."""

    # As migration 3 counts: each word's passages by their text, and by either column; the
    # average length in tokens, for bm25 (rag.store.postgres_search).
    _COUNT_WORDS = ("INSERT INTO passage_words SELECT a.word, COALESCE(t.ndoc, 0), a.ndoc "
                    "FROM ts_stat('SELECT words FROM passages') a "
                    "LEFT JOIN ts_stat('SELECT words FROM passages', 'a') t USING (word)",
                    "INSERT INTO meta(key, value) SELECT 'average_tokens', "
                    "COALESCE(AVG(tokens), 0)::text FROM passages "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value")
    _POST = ("COALESCE((SELECT r->>'post' FROM jsonb_array_elements(b.participants::jsonb) r "
             "WHERE r->>'name' = p.speaker LIMIT 1), '')")
    _ROSTERS_NAMING = ("SELECT b.id, b.participants FROM briefings b WHERE b.source = ? AND "
                       "b.participants::jsonb @> "
                       "jsonb_build_array(jsonb_build_object('name', ?::text))")

    def __init__(self, url: str, dimension: int) -> None:   # not Store's: that opens SQLite
        from pgvector.psycopg import register_vector

        self.url = url
        raw = connect(url)
        migrate_postgres(raw, dimension)   # creates the vector extension in a new database
        register_vector(raw)
        raw.execute("SET hnsw.ef_search = 128")   # as FAISS's HNSW (rag.store.vectors)
        # The index's pages are in memory: reading them at random costs about what a scan does.
        # With the default (4.0) the planner scans every passage for a keyword query that
        # matches a tenth of them (measured 83 ms instead of 20 on the evaluation corpus).
        raw.execute("SET random_page_cost = 1.1")
        self.conn = _Connection(raw)

    @contextmanager
    def transaction(self) -> Iterator[_Connection]:
        with self.conn.raw.transaction():
            yield self.conn

    def delete_document(self, key: str) -> int:
        removed = self.conn.execute(
            "SELECT COUNT(*) FROM passages p JOIN briefings b ON b.id = p.briefing "
            "WHERE b.document = ?", (key,)).fetchone()[0]
        self.conn.execute("DELETE FROM documents WHERE key = ?", (key,))
        return removed

    @staticmethod
    def _vector_bytes(stored) -> bytes:
        # pgvector's loader gives a Vector (or an array)
        vector = stored.to_numpy() if hasattr(stored, "to_numpy") else stored
        return np.asarray(vector, dtype="<f4").tobytes()

    def _insert(self, sql: str, params: tuple) -> int:
        return self.conn.execute(sql + " RETURNING id", params).fetchone()[0]

    def add_passage(self, turn_id: int, briefing: Briefing, speaker: str, role: str,
                    start: int, end: int, text: str, question: str, embed_key: str,
                    vector: bytes) -> int:
        return self._insert(
            'INSERT INTO passages(turn, briefing, start, "end", text, speaker, role, date, '
            "source, question, embed_key, vector) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (turn_id, briefing.id, start, end, text, speaker, role, briefing.date,
             briefing.source, question, embed_key, np.frombuffer(vector, dtype="<f4")))

    def size_bytes(self) -> int:
        return int(self.conn.execute("SELECT pg_database_size(current_database())").fetchone()[0])


class PostgresIndex(Index):
    def __init__(self, url: str, store: PostgresStore, manifest: dict,
                 settings: config.Settings) -> None:
        self.location = url
        self.store = store
        self.manifest = manifest
        self.settings = settings

    @classmethod
    def connect(cls, url: str, create: bool, settings: config.Settings) -> "PostgresIndex":
        """The index in the database at `url` (see rag.store.open_index). The database itself must
        exist; its tables are created (create=True) or migrated here."""
        store = PostgresStore(url, settings.embedding.dimension)
        found = store.get_meta("manifest")
        if found:
            manifest = json.loads(found)
            cls.check_manifest(manifest, settings, redacted(url))
        elif create:
            manifest = cls.expected_manifest(settings)
            store.set_meta("manifest", json.dumps(manifest))
        else:
            store.close()
            raise IndexUnusable(f"no index in {redacted(url)} (run `briefings ingest PATH... "
                                f"--index {redacted(url)}` first)")
        return cls(url, store, manifest, settings)

    @property
    def name(self) -> str:
        return redacted(self.location)

    @property
    def state_dir(self) -> Path:
        """index.dir on this machine: saved answers stay with each app server."""
        folder = config.resolve_path(self.settings.index.dir)
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def dense(self):
        from rag.store.postgres_search import PostgresVectors
        return PostgresVectors(self.store.conn)

    def allowed(self, filters: Filters | None) -> Filters | None:
        """The filters themselves: they become the dense query's WHERE clause."""
        return filters or None

    def keywords(self):
        from rag.store.postgres_search import PostgresKeywords
        return PostgresKeywords(self.store.conn, **self.keyword_options())

    def turn_keywords(self):
        from rag.store.postgres_search import PostgresTurnKeywords
        return PostgresTurnKeywords(self.store.conn)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """The ingest lock: a session advisory lock on a connection of its own, so it is
        released when the ingest's process ends, even by kill -9."""
        lock = connect(self.location)
        try:
            if not acquired(lambda: lock.execute("SELECT pg_try_advisory_lock(%s)",
                                                 (_INGEST_LOCK,)).fetchone()[0]):
                holder = self.store.get_meta("ingest_holder") or "another process"
                raise IndexBusy(f"another ingest is writing to {self.name} ({holder}); wait "
                                "for it to finish, or stop it")
            self.store.set_meta("ingest_holder", f"pid {os.getpid()} on {socket.gethostname()}, "
                                f"since {time.strftime('%Y-%m-%d %H:%M:%S')}")
            yield
        finally:
            lock.close()   # ends the session: the advisory lock goes with it

    def ingested(self, changed: bool) -> None:
        self.store.count_words(self.generation)
        if changed:
            self.store.conn.execute("ANALYZE passages")   # the planner's statistics, fresh

    def size_bytes(self) -> int:
        return self.store.size_bytes()
