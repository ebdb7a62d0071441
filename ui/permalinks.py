"""Links that last: the app's URLs for an answer and for an excerpt, and the saved answers the
first kind opens.

An answer's link is `?answer=<key>`: the conversation up to that answer (questions, filters,
answers, their sources) is saved under a key derived from its content in a small SQLite file
beside the index, so the link opens it after a reload, in another tab, or after the index was
rebuilt. An excerpt's link (`?briefing=...&turn=...&passage=...`, see ui.views.briefing_href)
needs nothing saved: briefing ids and turn orders are stable.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping, Sequence

from rag.answer.records import Answer

FILE = "saved-answers.sqlite"


class SavedAnswers:
    """Conversations by key; every call opens its own connection (the app calls from many
    threads)."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / FILE
        self._lock = threading.Lock()
        with self._connect() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, "
                         "saved TEXT NOT NULL, record TEXT NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def save(self, conversation: Sequence[Answer]) -> str:
        """Save the conversation (its last answer is the one linked); returns its key."""
        record = json.dumps([a.as_record() for a in conversation], ensure_ascii=False,
                            sort_keys=True)
        key = hashlib.sha256(record.encode("utf-8")).hexdigest()[:16]
        with self._lock, self._connect() as conn:
            conn.execute("INSERT OR IGNORE INTO answers VALUES (?, ?, ?)",
                         (key, datetime.now(timezone.utc).isoformat(timespec="seconds"), record))
        return key

    def load(self, key: str) -> list[Answer] | None:
        """The conversation saved under `key`, or None when there is none."""
        with self._connect() as conn:
            row = conn.execute("SELECT record FROM answers WHERE key=?", (key,)).fetchone()
        return [Answer.from_record(r) for r in json.loads(row[0])] if row else None


def answer_href(key: str) -> str:
    return f"?answer={key}"


@dataclass
class ExcerptTarget:
    """What an excerpt link points at: a briefing, the turn and passage in it, and the cited
    words (offsets in the passage's text) when the link came from a citation."""

    briefing: str
    turn: int | None = None
    passage: int | None = None
    span: tuple[int, int] | None = None


def _number(params: Mapping[str, str], name: str) -> int | None:
    value = str(params.get(name, "")).strip()
    return int(value) if value.isdigit() else None


def excerpt_target(params: Mapping[str, str]) -> ExcerptTarget | None:
    """The excerpt a link's query parameters name (None when they name no briefing)."""
    briefing = str(params.get("briefing", "")).strip()
    if not briefing:
        return None
    start, end = _number(params, "start"), _number(params, "end")
    span = (start, end) if start is not None and end is not None and start < end else None
    return ExcerptTarget(briefing, _number(params, "turn"), _number(params, "passage"), span)
