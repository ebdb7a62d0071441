"""The content store: one SQLite database holding documents, briefings, turns and passages.

It is the single source of truth of an index. Passage vectors are kept here as float32 blobs
so the FAISS index is a derived file that can always be rebuilt; the keyword index (FTS5)
lives in the same database, so one transaction updates everything at once.
"""
from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Iterator

import numpy as np

from rag.filters import Filters
from rag.store.migrations import migrate
from rag.records import Briefing, BriefingTurn, Participant, Passage, Turn, names_a_role


# How far apart (days) a surname's briefings and a full name's may be and still be one person.
_SAME_PERSON_DAYS = 3 * 365


def _near(first: str, last: str, other_first: str, other_last: str) -> bool:
    """Whether two date ranges (ISO days; '' for undated) lie within _SAME_PERSON_DAYS."""
    if not (first and other_first):
        return True
    day = date.fromisoformat
    gap = max((day(first) - day(other_last)).days, (day(other_first) - day(last)).days, 0)
    return gap <= _SAME_PERSON_DAYS


class Store:
    """The SQLite store (PostgresStore, in rag.store.postgres, is the same over PostgreSQL)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        # Autocommit mode: transactions are explicit (see `transaction`).
        self.conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA busy_timeout=30000")
        migrate(self.conn)

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing: a crash or exception inside leaves the database as before."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- metadata -----------------------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT (key) "
                          "DO UPDATE SET value = excluded.value", (key, value))

    # -- documents ----------------------------------------------------------------------------
    def document(self, key: str) -> sqlite3.Row | None:
        return self.conn.execute("SELECT * FROM documents WHERE key=?", (key,)).fetchone()

    def documents(self) -> list[sqlite3.Row]:
        return self.conn.execute("SELECT * FROM documents ORDER BY key").fetchall()

    def put_document(self, key: str, paths: list[str], hash_: str, status: str,
                     reason: str = "") -> None:
        self.conn.execute(
            "INSERT INTO documents(key, paths, hash, status, reason) VALUES (?,?,?,?,?) "
            "ON CONFLICT (key) DO UPDATE SET paths = excluded.paths, hash = excluded.hash, "
            "status = excluded.status, reason = excluded.reason",
            (key, json.dumps(paths), hash_, status, reason))

    def delete_document(self, key: str) -> int:
        """Remove a document with its briefings, turns, passages and keyword entries; returns
        the number of passages removed."""
        removed = self.conn.execute(
            "DELETE FROM passages_fts WHERE rowid IN (SELECT p.id FROM passages p "
            "JOIN briefings b ON b.id = p.briefing WHERE b.document = ?)", (key,)).rowcount
        self.conn.execute("DELETE FROM documents WHERE key=?", (key,))
        return removed

    def vectors_for(self, embed_keys: list[str]) -> dict[str, bytes]:
        """Stored vectors for these embedded inputs, wherever they are: a changed, renamed or
        re-read file does not pay for encoding text the index has already encoded."""
        found: dict[str, bytes] = {}
        for start in range(0, len(embed_keys), 900):
            batch = embed_keys[start:start + 900]
            found.update((key, self._vector_bytes(vector)) for key, vector in self.conn.execute(
                f"SELECT embed_key, vector FROM passages WHERE embed_key IN "
                f"({','.join('?' * len(batch))})", batch))
        return found

    @staticmethod
    def _vector_bytes(stored) -> bytes:
        """A stored vector as float32 little-endian bytes (SQLite keeps it so)."""
        return stored

    # -- briefings ----------------------------------------------------------------------------
    def briefing_with_fingerprint(self, fingerprint: str) -> sqlite3.Row | None:
        return self.conn.execute(
            "SELECT id, document, title, location FROM briefings WHERE fingerprint=?",
            (fingerprint,)).fetchone()

    def briefings_titled(self, source: str, date: str, title: str) -> list[sqlite3.Row]:
        """Briefings of one source with this date and title: candidate editions of one event."""
        return self.conn.execute(
            "SELECT id, document FROM briefings WHERE source=? AND date=? AND title=?",
            (source, date, title)).fetchall()

    def briefing_text(self, briefing_id: str) -> str:
        return "\n".join(r[0] for r in self.conn.execute(
            "SELECT text FROM turns WHERE briefing=? ORDER BY ord", (briefing_id,)))

    def has_briefing(self, briefing_id: str) -> sqlite3.Row | None:
        return self.conn.execute("SELECT id, document FROM briefings WHERE id=?",
                                 (briefing_id,)).fetchone()

    def add_briefing(self, briefing: Briefing, document: str, fingerprint: str) -> dict[int, int]:
        """Insert a briefing and its turns; returns turn order -> turn row id."""
        self.conn.execute(
            "INSERT INTO briefings(id, document, title, date, source, location, chair, "
            "participants, fingerprint) VALUES (?,?,?,?,?,?,?,?,?)",
            (briefing.id, document, briefing.title, briefing.date, briefing.source,
             briefing.location, briefing.chair,
             json.dumps([asdict(p) for p in briefing.participants]), fingerprint))
        return {t.order: self._insert(
            "INSERT INTO turns(briefing, ord, speaker, role, outlet, page, text, question) "
            "VALUES (?,?,?,?,?,?,?,?)",
            (briefing.id, t.order, t.speaker, t.role, t.outlet, t.page, t.text, t.question))
            for t in briefing.turns}

    def _insert(self, sql: str, params: tuple) -> int:
        """Run an INSERT; returns the new row's id."""
        return self.conn.execute(sql, params).lastrowid

    def add_passage(self, turn_id: int, briefing: Briefing, speaker: str, role: str,
                    start: int, end: int, text: str, question: str, embed_key: str,
                    vector: bytes) -> int:
        passage_id = self._insert(
            "INSERT INTO passages(turn, briefing, start, end, text, speaker, role, date, source, "
            "embed_key, vector) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (turn_id, briefing.id, start, end, text, speaker, role, briefing.date,
             briefing.source, embed_key, vector))
        self.conn.execute(
            "INSERT INTO passages_fts(rowid, text, question) VALUES (?,?,?)",
            (passage_id, text, question))
        return passage_id

    # -- reading ------------------------------------------------------------------------------
    # The SQL that reads inside a briefing's roster (JSON text), which differs by backend:
    # the speaker's post as the roster gives it ('' when it names none) ...
    _POST = ("COALESCE((SELECT json_extract(r.value, '$.post') FROM json_each(b.participants) r "
             "WHERE json_extract(r.value, '$.name') = p.speaker LIMIT 1), '')")
    # ... and the briefings of a source whose roster names a speaker.
    _ROSTERS_NAMING = ("SELECT b.id, b.participants FROM briefings b, json_each(b.participants) p"
                       " WHERE b.source = ? AND json_extract(p.value, '$.name') = ?")
    _PASSAGE_SELECT = (
        "SELECT p.id, p.text, p.speaker, p.role, p.date, p.source, p.briefing, "
        "b.title, b.location, t.ord, t.page, t.question, {post} AS post "
        "FROM passages p JOIN briefings b ON b.id = p.briefing JOIN turns t ON t.id = p.turn ")

    def complete_surnames(self) -> list[tuple[str, str]]:
        """Give an official known only by surname ("Simons", from a label "MS. SIMONS" in a
        briefing that never writes her given name) the one full name of that surname the same
        source uses within a few years ("Emilie Simons"), so the speaker is one person in menus
        and filters. A surname two full names share, or a role ("Aide"), stays as it is.
        Returns the (surname, full name) pairs merged; run inside the ingest transaction."""
        rows = self.conn.execute(
            "SELECT b.source, t.speaker, MIN(b.date), MAX(b.date) FROM turns t "
            "JOIN briefings b ON b.id = t.briefing WHERE t.role = 'official' "
            "GROUP BY b.source, t.speaker").fetchall()
        full: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        for source, speaker, first, last in rows:
            if " " in speaker.strip() and not names_a_role(speaker):
                full.setdefault((source, speaker.split()[-1].lower()), []).append(
                    (speaker, first, last))
        merged = []
        for source, speaker, first, last in rows:
            if " " in speaker.strip() or names_a_role(speaker):
                continue
            known = full.get((source, speaker.lower()), [])
            if len(known) == 1 and _near(first, last, known[0][1], known[0][2]):
                merged.append((source, speaker, known[0][0]))
        for source, short, name in merged:
            briefings = "SELECT id FROM briefings WHERE source = ?"
            self.conn.execute(f"UPDATE turns SET speaker = ? WHERE speaker = ? AND briefing IN "
                              f"({briefings})", (name, short, source))
            self.conn.execute("UPDATE passages SET speaker = ? WHERE speaker = ? AND source = ?",
                              (name, short, source))
            for bid, people in self.conn.execute(self._ROSTERS_NAMING,
                                                 (source, short)).fetchall():
                renamed = [{**p, "name": name} if p["name"] == short else p
                           for p in json.loads(people)]
                self.conn.execute("UPDATE briefings SET participants = ? WHERE id = ?",
                                  (json.dumps(renamed), bid))
        return [(short, name) for _, short, name in merged]

    def passages(self, ids: list[int]) -> list[Passage]:
        """Passages by id, in the order of `ids` (unknown ids are left out)."""
        if not ids:
            return []
        found: dict[int, Passage] = {}
        for start in range(0, len(ids), 900):  # SQLite's variable limit
            batch = ids[start:start + 900]
            rows = self.conn.execute(
                self._PASSAGE_SELECT.format(post=self._POST)
                + f"WHERE p.id IN ({','.join('?' * len(batch))})", batch)
            for r in rows:
                found[r["id"]] = Passage(
                    id=r["id"], text=r["text"], speaker=r["speaker"], role=r["role"],
                    date=r["date"], source=r["source"], briefing_id=r["briefing"],
                    title=r["title"], location=r["location"], turn_order=r["ord"],
                    page=r["page"], question=r["question"], post=r["post"])
        return [found[i] for i in ids if i in found]

    def turns(self, ids: list[int]) -> list[BriefingTurn]:
        """Turns by id with their briefing's facts, in the order of `ids` (unknown ids left out)."""
        found: dict[int, BriefingTurn] = {}
        for start in range(0, len(ids), 900):
            batch = ids[start:start + 900]
            for r in self.conn.execute(
                    "SELECT t.id, t.text, t.speaker, t.role, t.ord, t.question, b.id, b.title, "
                    "b.date, b.source, b.location FROM turns t JOIN briefings b ON b.id = "
                    f"t.briefing WHERE t.id IN ({','.join('?' * len(batch))})", batch):
                found[r[0]] = BriefingTurn(*r)
        return [found[i] for i in dict.fromkeys(ids) if i in found]

    def briefing(self, briefing_id: str) -> Briefing | None:
        """A briefing with all its turns in order (None when unknown)."""
        row = self.conn.execute("SELECT id, title, date, source, location, chair, participants "
                                "FROM briefings WHERE id=?", (briefing_id,)).fetchone()
        if row is None:
            return None
        turns = [Turn(order=r["ord"], speaker=r["speaker"], role=r["role"], text=r["text"],
                      outlet=r["outlet"], page=r["page"], question=r["question"])
                 for r in self.conn.execute(
                     "SELECT ord, speaker, role, text, outlet, page, question FROM turns "
                     "WHERE briefing=? ORDER BY ord", (briefing_id,))]
        return Briefing(id=row["id"], title=row["title"], date=row["date"],
                        source=row["source"], location=row["location"], chair=row["chair"],
                        participants=[Participant(**p) for p in json.loads(row["participants"])],
                        turns=turns)

    def passage_spans(self, briefing_id: str) -> dict[int, list[tuple[int, int, int]]]:
        """Where a briefing's passages were cut: turn order -> [(passage id, start, end)],
        offsets into that turn's text, in text order."""
        spans: dict[int, list[tuple[int, int, int]]] = {}
        for order, passage, start, end in self.conn.execute(
                "SELECT t.ord, p.id, p.start, p.end FROM passages p JOIN turns t ON t.id = p.turn "
                "WHERE p.briefing=? ORDER BY t.ord, p.start", (briefing_id,)):
            spans.setdefault(order, []).append((passage, start, end))
        return spans

    def turns_of(self, passage_ids: list[int]) -> list[int]:
        """The turn each passage was cut from, in the order of `passage_ids`."""
        rows = dict(self.conn.execute(
            f"SELECT id, turn FROM passages WHERE id IN ({','.join('?' * len(passage_ids))})",
            passage_ids).fetchall()) if passage_ids else {}
        return [rows[i] for i in passage_ids if i in rows]

    def passage_ids(self, filters: Filters, most: int | None = None) -> np.ndarray:
        """Ids of every passage the filters allow (`most` of them at most)."""
        where, params = filters.sql("p")
        limit = "" if most is None else f" LIMIT {int(most)}"
        rows = self.conn.execute(f"SELECT p.id FROM passages p WHERE 1=1{where}{limit}", params)
        return np.fromiter((r[0] for r in rows), dtype=np.int64)

    def admitted(self, ids: list[int], filters: Filters) -> set[int]:
        """Which of `ids` the filters allow."""
        where, params = filters.sql("p")
        found: set[int] = set()
        for start in range(0, len(ids), 900):
            batch = ids[start:start + 900]
            # NOT INDEXED: each id looked up by its rowid. Left to itself the planner walks the
            # speaker's (or the period's) whole index range for every batch: 158,000 entries
            # for one busy speaker at a million passages.
            found.update(r[0] for r in self.conn.execute(
                f"SELECT p.id FROM passages p NOT INDEXED WHERE p.id IN "
                f"({','.join('?' * len(batch))}){where}", [*batch, *params]))
        return found

    def briefing_count(self, filters: Filters) -> int:
        """How many briefings hold a passage the filters allow: what a search under them reads."""
        where, params = filters.sql("p")
        return self.conn.execute(f"SELECT COUNT(DISTINCT p.briefing) FROM passages p "
                                 f"WHERE 1=1{where}", params).fetchone()[0]

    # Recount the passages holding each word: read from FTS5's vocabulary of the text column.
    _COUNT_WORDS = (
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.passage_vocab USING "
        "fts5vocab(main, passages_fts, 'col')",
        "INSERT INTO passage_words SELECT term, doc FROM temp.passage_vocab WHERE col = 'text'")

    def count_words(self, generation: int) -> None:
        """Recount how many passages hold each word (keyword search reads the counts) unless
        they are of `generation` already: after an ingest run, and after a run killed before it
        recounted."""
        if self.get_meta("words_generation") == str(generation):
            return
        with self.transaction():
            self.conn.execute("DELETE FROM passage_words")
            for sql in self._COUNT_WORDS:
                self.conn.execute(sql)
            self.set_meta("words_generation", str(generation))

    def vectors_after(self, passage_id: int, dimension: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) of the passages whose id is above `passage_id` (0: every passage,
        to rebuild the dense index; else those added since)."""
        rows = self.conn.execute("SELECT id, vector FROM passages WHERE id > ? ORDER BY id",
                                 (passage_id,)).fetchall()
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        vectors = np.frombuffer(b"".join(self._vector_bytes(r[1]) for r in rows), dtype="<f4")
        return ids, vectors.reshape(len(rows), dimension)

    def speakers(self, role: str | None = "official") -> list[tuple[str, int]]:
        """(speaker, passages) for every speaker with retrievable passages, most frequent first."""
        sql = "SELECT speaker, COUNT(*) AS n FROM passages"
        params: list = []
        if role:
            sql += " WHERE role = ?"
            params.append(role)
        sql += " GROUP BY speaker ORDER BY n DESC, speaker"
        return [(r[0], r[1]) for r in self.conn.execute(sql, params)]

    def speaker_briefings(self) -> list[tuple[str, int]]:
        """(official speaker, briefings with a retrievable passage of theirs), by name."""
        return [(r[0], r[1]) for r in self.conn.execute(
            "SELECT speaker, COUNT(DISTINCT briefing) FROM passages WHERE role = 'official' "
            "GROUP BY speaker ORDER BY speaker")]

    def titles(self) -> list[str]:
        """The title of every briefing."""
        return [r[0] for r in self.conn.execute("SELECT title FROM briefings")]

    def stats(self) -> dict:
        one = lambda sql: self.conn.execute(sql).fetchone()[0]  # noqa: E731
        span = self.conn.execute("SELECT MIN(date), MAX(date) FROM briefings").fetchone()
        by_source = {r[0]: r[1] for r in self.conn.execute(
            "SELECT source, COUNT(*) FROM briefings GROUP BY source")}
        return {
            "briefings": one("SELECT COUNT(*) FROM briefings"),
            "turns": one("SELECT COUNT(*) FROM turns"),
            "passages": one("SELECT COUNT(*) FROM passages"),
            "speakers": one("SELECT COUNT(DISTINCT speaker) FROM passages"),
            "date_from": span[0],
            "date_to": span[1],
            "sources": by_source,
            "documents": one("SELECT COUNT(*) FROM documents WHERE status='ok'"),
            "skipped": one("SELECT COUNT(*) FROM documents WHERE status!='ok'"),
        }
