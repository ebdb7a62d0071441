"""The folder backend: manifest + content store (SQLite, FTS5) + dense vectors (FAISS).

    index/
      manifest.json          embedding model and dimension, schema version
      briefings.sqlite       the store: the single source of truth, updated in one transaction
      dense-<generation>.faiss   derived from the store's vectors; rebuilt when missing
      ingest.lock            held by the one ingest writing (who and since when)

Every committed ingest bumps the store's generation. A FAISS file is named after the generation
it was built from, so a crash between the database commit and the FAISS write can never pair
new rows with old vectors: the reader sees no file for the current generation and rebuilds it.
"""
from __future__ import annotations

import fcntl
import json
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np

from rag import config
from rag.files import write_atomic
from rag.filters import Filters
from rag.store.index import Index, IndexBusy, IndexUnusable, acquired
from rag.store.keywords import KeywordSearch, TurnKeywords
from rag.store.migrations import SCHEMA_VERSION
from rag.store.sqlite import Store
from rag.store.vectors import DenseIndex, GrowingIndex, Wide

MANIFEST = "manifest.json"
DATABASE = "briefings.sqlite"


LOCK = "ingest.lock"


def _write_json(path: Path, data: dict) -> None:
    write_atomic(path, json.dumps(data, indent=2) + "\n")


class FolderIndex(Index):
    def __init__(self, directory: Path, store: Store, manifest: dict,
                 settings: config.Settings) -> None:
        self.directory = directory
        self.location = str(directory)
        self.store = store
        self.manifest = manifest
        self.settings = settings
        self._dense: DenseIndex | GrowingIndex | None = None
        self._dense_generation = -1
        self._base: tuple[Path, DenseIndex] | None = None  # the file a GrowingIndex extends

    @classmethod
    def at(cls, directory: Path, create: bool, settings: config.Settings) -> "FolderIndex":
        """The index in `directory` (see rag.store.open_index)."""
        manifest_path = directory / MANIFEST
        if manifest_path.exists():
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            cls.check_manifest(manifest, settings, str(directory))
        elif create:
            directory.mkdir(parents=True, exist_ok=True)
            manifest = {**cls.expected_manifest(settings), "schema_version": SCHEMA_VERSION}
            _write_json(manifest_path, manifest)
        else:
            raise IndexUnusable(f"no index in {directory} (run `briefings ingest PATH... "
                                f"--index {directory}` first)")
        store = Store(directory / DATABASE)   # migrates an older schema in place
        if manifest.get("schema_version") != SCHEMA_VERSION:
            manifest["schema_version"] = SCHEMA_VERSION
            try:
                _write_json(manifest_path, manifest)
            except OSError:
                pass   # a read-only copy: the database itself records its version
        return cls(directory, store, manifest, settings)

    @property
    def state_dir(self) -> Path:
        return self.directory

    def allowed(self, filters: Filters | None) -> np.ndarray | Wide | None:
        """The passage ids `filters` allow: a filtered FAISS search scores those exactly. A
        filter allowing more than search.exact_filter_most passages is Wide: listing them costs
        more than the search (a year of a million passages: 470 ms), so the nearest of all are
        taken and the filter applied to them."""
        if not filters:
            return None
        most = self.settings.search.exact_filter_most
        ids = self.store.passage_ids(filters, most + 1)
        if len(ids) <= most:
            return ids
        return Wide(admit=lambda found: self.store.admitted(found, filters))

    def keywords(self) -> KeywordSearch:
        return KeywordSearch(self.store.conn, **self.keyword_options())

    def turn_keywords(self) -> TurnKeywords:
        return TurnKeywords(self.store.conn)

    def ingested(self, changed: bool) -> None:
        self.store.count_words(self.generation)
        # Also after a run killed between its last commit and this write.
        if changed or not self.dense_path(self.generation).exists():
            self.write_dense(self.generation)

    def dense(self) -> DenseIndex | GrowingIndex:
        """The FAISS index for the store's current generation (reloaded after an ingest by any
        process, rebuilt from the stored vectors if its file is missing)."""
        generation = self.generation
        if self._dense is None or self._dense_generation != generation:
            path = self.dense_path(generation)
            try:
                self._dense = DenseIndex.load(path, self.dimension)
            except RuntimeError:  # not written yet (an ingest is running), or a crash before
                self._dense = self._while_ingesting() or self.write_dense(generation)
            if isinstance(self._dense, DenseIndex):
                self._base = None  # no ingest grows on the old file any more: let it go
            self._dense_generation = generation
        return self._dense

    def _while_ingesting(self) -> GrowingIndex | None:
        """While an ingest holds the write lock, the newest FAISS file there is plus the
        passages committed since: a search after each batch costs no rebuild (an HNSW build of
        the whole index), and the ingest writes the new file when it ends. None when no ingest
        is running (a crash left no file: rebuild) or no file exists yet."""
        if not self._ingest_running():
            return None
        files = sorted((f for f in self.directory.glob("dense-*.faiss") if f.stem[6:].isdigit()),
                       key=lambda f: int(f.stem[6:]))
        if not files:
            return None
        if self._base is None or self._base[0] != files[-1]:
            try:
                self._base = (files[-1], DenseIndex.load(files[-1], self.dimension))
            except RuntimeError:
                return None  # replaced meanwhile: the ingest just finished
        base = self._base[1]
        ids, vectors = self.store.vectors_after(int(base.ids.max()) if len(base) else 0,
                                                self.dimension)
        return GrowingIndex(base, DenseIndex.build(ids, vectors, self.dimension,
                                                   hnsw_from=len(ids) + 1))

    def _ingest_running(self) -> bool:
        """Whether an ingest (in any process, this one included) holds the write lock."""
        try:
            with open(self.directory / LOCK, encoding="utf-8") as fh:
                try:
                    fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError:
                    return True
                fcntl.flock(fh, fcntl.LOCK_UN)
                return False
        except FileNotFoundError:
            return False

    def dense_path(self, generation: int) -> Path:
        """The FAISS file built from `generation` of the store."""
        return self.directory / f"dense-{generation}.faiss"

    def write_dense(self, generation: int) -> DenseIndex:
        """Build the FAISS file for `generation` from the store and remove older ones."""
        ids, vectors = self.store.vectors_after(0, self.dimension)
        dense = DenseIndex.build(ids, vectors, self.dimension,
                                 hnsw_from=self.settings.search.hnsw_from)
        dense.save(self.dense_path(generation))
        for old in self.directory.glob("dense-*.faiss"):
            if old != self.dense_path(generation):
                old.unlink(missing_ok=True)
        return dense

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the index's write lock while an ingest runs: one writer at a time (in any
        process), searches unaffected. The lock goes with the process, however it ends.
        Raises IndexBusy, naming the holder, when another ingest has it."""
        with open(self.directory / LOCK, "a+", encoding="utf-8") as fh:
            def attempt() -> bool:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return True
                except BlockingIOError:
                    return False

            if not acquired(attempt):
                fh.seek(0)
                holder = fh.read().strip() or "another process"
                raise IndexBusy(f"another ingest is writing to {self.directory} ({holder}); "
                                "wait for it to finish, or stop it") from None
            fh.truncate(0)
            fh.write(f"pid {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}")
            fh.flush()
            try:
                yield
            finally:
                fh.truncate(0)

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.directory.iterdir() if p.is_file())
