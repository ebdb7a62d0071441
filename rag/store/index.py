"""An index: a content store, keyword search and dense vectors over it, on one backend.

Two backends behind this one class (each in its own module):
  - a folder (rag.store.folder): one SQLite file with FTS5, FAISS beside it. The default: one
    machine, nothing to run.
  - a PostgreSQL database with pgvector (rag.store.postgres): several app processes and an
    ingest worker share one index.

`rag.store.open_index(location)` picks the backend from the location: a `postgresql://` URL
or a folder. Callers use only what is declared here; the retriever, the quote checker and the
ingest never know which backend answers.
"""
from __future__ import annotations

import time
from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Callable

from rag import config
from rag.errors import BriefingsError
from rag.filters import Filters
from rag.models.embedder import Embedder, load_embedder
from rag.store.sqlite import Store

class IndexBusy(BriefingsError, RuntimeError):
    """Another ingest is writing to the index."""


class IndexUnusable(BriefingsError, RuntimeError):
    """An index that cannot be used as asked (missing, or built with another model)."""


def acquired(attempt: Callable[[], bool], tries: int = 10, pause_s: float = 0.05) -> bool:
    """Whether `attempt` (taking an ingest lock without waiting) succeeds within a few tries: a
    search checking whether an ingest runs, or a lock just being let go, holds it an instant."""
    for _ in range(tries):
        if attempt():
            return True
        time.sleep(pause_s)
    return False


class Index(ABC):
    """What every backend provides. Subclasses: FolderIndex, PostgresIndex."""

    store: Store          # the content store (the PostgreSQL one is a subclass)
    location: str         # what open_index was given: a folder or a database URL
    settings: config.Settings
    manifest: dict

    # -- shared -------------------------------------------------------------------------------
    @staticmethod
    def expected_manifest(settings: config.Settings) -> dict:
        emb = settings.embedding
        return {"embedding_model": emb.model, "dimension": emb.dimension,
                "embedding_precision": emb.precision}

    @staticmethod
    def check_manifest(found: dict, settings: config.Settings, where: str) -> None:
        """Raise IndexUnusable when the index at `where` was built for other vectors."""
        found.setdefault("embedding_precision", "float32")  # before int8 existed
        for key, value in Index.expected_manifest(settings).items():
            if found.get(key) != value:
                raise IndexUnusable(
                    f"{where} was built with {key}={found.get(key)!r} but config.yaml asks for "
                    f"{value!r}; rebuild it (a new folder or database, then ingest again) or "
                    "use the matching configuration")

    @property
    def dimension(self) -> int:
        return int(self.manifest["dimension"])

    @property
    def generation(self) -> int:
        """Bumped by every committed ingest batch that changed what is searchable."""
        return int(self.store.get_meta("generation", "0"))

    def embedder(self) -> Embedder:
        emb = self.settings.embedding
        return load_embedder(emb.package, emb.model, emb.dimension, emb.cache_dir,
                             emb.precision)

    def close(self) -> None:
        self.store.close()

    def keyword_options(self) -> dict:
        """How keyword search chooses a query's words (search settings), for `keywords()`."""
        search = self.settings.search
        return {"common_share": search.common_word_share, "most": search.most_query_words,
                "postings": search.keyword_postings}

    # -- per backend --------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The location as shown to a person (a database URL without its password)."""
        return self.location

    @property
    @abstractmethod
    def state_dir(self) -> Path:
        """A local folder for what the app keeps beside the index (saved answers)."""
        raise NotImplementedError

    @abstractmethod
    def dense(self) -> Any:
        """The dense search: `.search(vector, k, allowed)` -> [(passage id, cosine)], where
        `allowed` is what `allowed(filters)` returned (None: every passage)."""
        raise NotImplementedError

    @abstractmethod
    def allowed(self, filters: Filters | None) -> Any:
        """What the dense search needs to keep to `filters` (None when there are none)."""
        raise NotImplementedError

    @abstractmethod
    def keywords(self) -> Any:
        """Keyword search over passages (a rag.store.keywords.KeywordSearch), its choice of
        words set by the search settings."""
        raise NotImplementedError

    @abstractmethod
    def turn_keywords(self) -> Any:
        """Keyword search over every turn, for quote checks (a TurnKeywords)."""
        raise NotImplementedError

    @abstractmethod
    def writing(self) -> AbstractContextManager[None]:
        """Hold the index's write lock while an ingest runs: one writer at a time, in any
        process; searches unaffected. Raises IndexBusy, naming the holder, when taken."""
        raise NotImplementedError

    @abstractmethod
    def ingested(self, changed: bool) -> None:
        """Called at the end of an ingest run (`changed`: its generation moved): derive what
        the backend derives from the store (FolderIndex: the FAISS file)."""
        raise NotImplementedError

    @abstractmethod
    def size_bytes(self) -> int:
        raise NotImplementedError

