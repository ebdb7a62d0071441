"""The index: a content store with keyword and dense search over it, on one of two backends.

The folder (rag.store.folder: SQLite, the single source of truth, with FTS5 keyword search and
FAISS vectors derived from it) or PostgreSQL with pgvector (rag.store.postgres), both behind
rag.store.index.Index; migrations of both in one place (rag.store.migrations).
"""
from __future__ import annotations

import os
from pathlib import Path

from rag import config
from rag.store.folder import FolderIndex
from rag.store.index import Index
from rag.store.postgres import PostgresIndex


def open_index(location: str | os.PathLike, create: bool = False,
               settings: config.Settings | None = None) -> Index:
    """The index at `location` (a folder, or a postgresql:// URL); with create=True make it
    if it does not exist. Raises IndexUnusable when it was built with another embedding
    model than the one configured: its vectors would be meaningless to this model's queries."""
    settings = settings or config.load()
    if config.is_database_url(location):
        return PostgresIndex.connect(str(location), create, settings)
    return FolderIndex.at(Path(location), create, settings)
