"""Ingest: files -> readers -> chunks -> vectors -> one store transaction -> FAISS file.

Incremental: a document (a file, or the pages of one SCIO briefing) whose bytes hash as before is
not read again; a changed one replaces its old briefings, reusing the vectors of passages whose
embedded text did not change; `prune` removes documents whose files are gone. Atomic: nothing is
written until every file is read and embedded, then a single transaction commits it all, so a
kill at any moment leaves the previous index answering.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
from tqdm import tqdm

from rag.chunking import Chunk, chunk_briefing
from rag.index import Index
from rag.readers import SUFFIXES, NotATranscript, ReadError, group_files, read_group
from rag.records import Briefing
from rag.text import content_hash, normalize


@dataclass
class Problem:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class IngestReport:
    """What an ingest did; `failed` makes the command exit non-zero."""

    documents: int = 0          # document groups seen
    unchanged: int = 0
    updated: int = 0            # new or changed, now indexed
    removed: int = 0            # pruned
    briefings: int = 0          # briefings added by this run
    turns: int = 0
    passages: int = 0
    embedded: int = 0           # passages sent to the encoder
    reused: int = 0             # passages whose vectors were reused
    skipped: list[Problem] = field(default_factory=list)   # not transcripts, duplicates
    failed: list[Problem] = field(default_factory=list)    # unreadable input
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    encode_seconds: float = 0.0

    def as_dict(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if not isinstance(v, list)}
        for name in ("skipped", "failed", "warnings"):
            data[name] = [p.__dict__ for p in getattr(self, name)]
        return data


def discover(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    """Transcript files under `paths` (folders searched recursively, hidden files ignored)."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            files.extend(p for p in sorted(path.rglob("*"))
                         if p.is_file() and p.suffix.lower() in SUFFIXES
                         and not any(part.startswith(".") for part in p.relative_to(path).parts))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(str(path), "no such file or folder"))
    return [f.resolve() for f in files], problems


def embed_input(text: str, question: str, with_question: bool) -> str:
    """What the encoder sees for a passage: its words, then the question it answers (trimmed, so
    the model's 256-token window is spent on the answer first)."""
    if with_question and question:
        return f"{text}\nQuestion: {' '.join(question.split()[:48])}"
    return text


def fingerprint(briefing: Briefing) -> str:
    """Same date and same words = same conference, whatever file or URL it came from."""
    return content_hash(briefing.date + "\n" + "\n".join(normalize(t.text) for t in briefing.turns))


@dataclass
class _Pending:
    key: str
    paths: list[str]
    hash: str
    briefings: list[Briefing]
    chunks: list[list[Chunk]]
    old_vectors: dict[str, bytes]


def ingest(paths: list[Path], index: Index, prune: bool = False, progress: bool = True,
           on_step: Callable[[str], None] | None = None) -> IngestReport:
    """Bring `index` up to date with the transcripts under `paths`."""
    started = time.perf_counter()
    settings = index.settings
    store = index.store
    report = IngestReport()
    files, missing = discover(paths)
    report.failed.extend(missing)
    max_bytes = int(float(settings.ingest.max_file_mb) * 1_000_000)
    chunking = settings.chunking
    with_question = bool(settings.embedding.with_question)

    pending: list[_Pending] = []
    seen_keys: set[str] = set()
    fingerprints: dict[str, str] = {}   # new briefings' fingerprints -> document key
    new_ids: set[str] = set()
    groups = group_files(files)
    for group in tqdm(groups, desc="reading", unit="doc", disable=not progress):
        key = str(group[0])
        seen_keys.add(key)
        report.documents += 1
        try:
            digest = content_hash(b"".join(p.read_bytes() for p in group))
        except OSError as err:
            report.failed.append(Problem(key, f"cannot read: {err.strerror}"))
            continue
        previous = store.document(key)
        if previous is not None and previous["hash"] == digest:
            report.unchanged += 1
            if previous["status"] != "ok":
                report.skipped.append(Problem(key, previous["reason"]))
            continue
        item = _Pending(key, [str(p) for p in group], digest, [], [],
                        store.vectors_of_document(key) if previous is not None else {})
        try:
            document = read_group(group, max_bytes)
        except NotATranscript as err:
            report.skipped.append(Problem(key, str(err)))
            pending.append(item)
            continue
        except ReadError as err:
            # Not recorded: a broken file is read again next time, and an earlier good
            # version of it stays indexed.
            report.failed.append(Problem(key, str(err)))
            continue
        report.warnings.extend(Problem(key, w) for w in document.warnings)
        for briefing in document.briefings:
            fp = fingerprint(briefing)
            twin = fingerprints.get(fp)
            existing = store.briefing_with_fingerprint(fp)
            if existing is not None and existing["document"] != key:
                twin = existing["document"]
            same_id = store.has_briefing(briefing.id)
            if twin is None and (briefing.id in new_ids or (
                    same_id is not None and same_id["document"] != key)):
                twin = "another file with the same briefing id"
            if twin is not None:
                report.skipped.append(Problem(key, f"duplicate of {twin}: same date and "
                                                   f"text ('{briefing.title}'); kept that one"))
                continue
            fingerprints[fp] = key
            new_ids.add(briefing.id)
            item.briefings.append(briefing)
            item.chunks.append(chunk_briefing(briefing, int(chunking.max_words),
                                              int(chunking.overlap_sentences),
                                              int(chunking.min_words)))
        pending.append(item)

    removed = [d["key"] for d in store.documents()
               if prune and d["key"] not in seen_keys
               and not all(Path(p).exists() for p in json.loads(d["paths"]))]
    if not pending and not removed:
        report.seconds = time.perf_counter() - started
        return report

    # Vectors: reuse what the changed documents already had, encode the rest once each.
    vectors: dict[str, bytes] = {}
    inputs: dict[str, str] = {}  # embed key -> text to encode
    for item in pending:
        for chunks in item.chunks:
            for chunk in chunks:
                text = embed_input(chunk.text, chunk.turn.question, with_question)
                key = content_hash(text)
                if key in item.old_vectors:
                    vectors[key] = item.old_vectors[key]
                    report.reused += 1
                elif key not in vectors:
                    inputs[key] = text
    if inputs:
        if on_step:
            on_step(f"embedding {len(inputs)} passages")
        embedder = index.embedder()
        batch = int(settings.ingest.batch_size)
        todo = list(inputs)
        step = batch * 16
        t0 = time.perf_counter()
        with tqdm(total=len(todo), desc="embedding", unit="passage", disable=not progress) as bar:
            for start in range(0, len(todo), step):
                keys = todo[start:start + step]
                block = embedder.encode([inputs[k] for k in keys], batch_size=batch)
                vectors.update((k, v.astype("<f4").tobytes()) for k, v in zip(keys, block))
                bar.update(len(keys))
        report.encode_seconds = time.perf_counter() - t0
        report.embedded = len(todo)

    with store.transaction():
        for key in removed:
            store.delete_document(key)
        for item in pending:
            store.delete_document(item.key)
            reason = next((p.reason for p in report.skipped if p.path == item.key), "")
            ok = bool(item.briefings)
            store.put_document(item.key, item.paths, item.hash, "ok" if ok else "skipped",
                               "" if ok else reason)
            for briefing, chunks in zip(item.briefings, item.chunks):
                turn_ids = store.add_briefing(briefing, item.key, fingerprint(briefing))
                for chunk in chunks:
                    turn = chunk.turn
                    key = content_hash(embed_input(chunk.text, turn.question, with_question))
                    store.add_passage(turn_ids[turn.order], briefing, turn.speaker, turn.role,
                                      chunk.start, chunk.end, chunk.text, turn.question, key,
                                      vectors[key])
                report.briefings += 1
                report.turns += len(briefing.turns)
                report.passages += len(chunks)
            if item.briefings:
                report.updated += 1
        generation = index.generation + 1
        store.set_meta("generation", str(generation))
    report.removed = len(removed)
    index.write_dense(generation)
    report.seconds = time.perf_counter() - started
    return report
