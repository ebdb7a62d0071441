"""Ingest: files -> readers -> chunks -> vectors -> store, in batches (either backend).

Incremental: a document (a file, or the pages of one SCIO briefing) whose bytes hash as before is
not read again; a changed one replaces its old briefings, and any passage whose embedded text
the index already holds reuses its vector; `prune` removes documents whose files are gone.
Resumable and bounded: documents are read, embedded and committed `ingest.batch_documents` at a
time, each batch one transaction, so a kill loses at most the batch in flight, the next run
goes on from the last committed batch (what it holds is unchanged, so not read again), and
memory holds one batch whatever the corpus. Searches meanwhile answer from the last committed
batch. One ingest writes at a time (Index.writing).
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from tqdm import tqdm

from rag.config import ChunkingSettings
from rag.errors import Problem
from rag.ingest.chunking import CHUNKING_VERSION, Chunk, chunk_briefing
from rag.ingest.discover import discover
from rag.ingest.duplicates import DuplicateFinder, fingerprint
from rag.ingest.report import IngestReport
from rag.models.embedder import embed_input
from rag.readers import READERS_VERSION, NotATranscript, ReadError, group_files, read_group
from rag.records import Briefing
from rag.store.index import Index
from rag.text.normalize import content_hash


DUPLICATE = "duplicate"  # document status: every briefing in it is indexed from another file


@dataclass
class _Pending:
    key: str
    paths: list[str]
    hash: str
    briefings: list[Briefing]
    chunks: list[list[Chunk]]
    fingerprints: list[str] = field(default_factory=list)
    embed_keys: list[list[str]] = field(default_factory=list)  # per briefing, per chunk
    status: str = "skipped"   # what the document is if it yields no briefing


def ingest(paths: list[Path], index: Index, prune: bool = False, progress: bool = True,
           on_step: Callable[[str], None] | None = None,
           vectors_from: Index | None = None) -> IngestReport:
    """Bring `index` up to date with the transcripts under `paths`: hash every document, then
    read, embed and commit what changed a batch at a time; what the backend derives from the
    store (the folder's FAISS file) is written at the end. `vectors_from`: another index built
    with the same embedding model, whose vectors are taken for the texts it has encoded
    (moving a folder index to PostgreSQL costs no encoding). Raises IndexBusy when another
    ingest is writing."""
    started = time.perf_counter()
    report = IngestReport()
    with index.writing():
        generation = index.generation
        files, missing = discover(paths)
        report.failed.extend(missing)
        groups = group_files(files)
        digests = _digests(groups, index, report)
        seen = {str(group[0]) for group in groups}  # a document is named by its first file
        removed = [d["key"] for d in index.store.documents()
                   if prune and d["key"] not in seen
                   and not all(Path(p).exists() for p in json.loads(d["paths"]))]
        to_read = _to_read(groups, digests, index, report)
        duplicates = DuplicateFinder(index.store, index.settings.ingest.duplicate_overlap,
                                     {str(group[0]) for group in to_read})
        if removed:
            _commit([], removed, {}, index, report, last=not to_read)
        size = index.settings.ingest.batch_documents
        with tqdm(total=len(to_read), desc="ingesting", unit="doc", disable=not progress) as bar:
            for first in range(0, len(to_read), size):
                batch = to_read[first:first + size]
                pending = _read(batch, digests, index, report, duplicates)
                vectors = _vectors(pending, index, report, on_step, f"documents {first + 1}-"
                                   f"{first + len(batch)} of {len(to_read)}", vectors_from)
                _commit(pending, [], vectors, index, report, last=first + size >= len(to_read))
                duplicates.committed([item.key for item in pending])
                bar.update(len(batch))
        index.ingested(changed=index.generation != generation)
    report.seconds = time.perf_counter() - started
    return report


def _digests(groups: list[list[Path]], index: Index, report: IngestReport) -> dict[str, str]:
    """Each readable document's hash. What a document turns into depends on the readers and
    chunking too: a change of either re-reads every file (vectors are reused where the text is
    unchanged)."""
    settings = index.settings
    version = json.dumps([READERS_VERSION, CHUNKING_VERSION, dict(settings.chunking),
                          settings.embedding.with_question]).encode()
    digests: dict[str, str] = {}
    for group in groups:
        key = str(group[0])
        report.documents += 1
        try:
            digests[key] = content_hash(version + b"".join(p.read_bytes() for p in group))
        except OSError as err:
            report.failed.append(Problem(key, f"cannot read: {err.strerror}"))
    return digests


def _to_read(groups: list[list[Path]], digests: dict[str, str], index: Index,
             report: IngestReport) -> list[list[Path]]:
    """The documents to read: new, changed, or duplicates (re-read every time: the copy they
    duplicated may be gone). The others are counted here, once: as unchanged, or as skipped
    with the reason recorded when they were read."""
    to_read = []
    for group in groups:
        key = str(group[0])
        if key not in digests:
            continue
        row = index.store.document(key)
        if row is None or row["hash"] != digests[key] or row["status"] == DUPLICATE:
            to_read.append(group)
        elif row["status"] != "ok":
            report.skipped.append(Problem(key, row["reason"]))
        else:
            report.unchanged += 1
    return to_read


def _read(groups: list[list[Path]], digests: dict[str, str], index: Index,
          report: IngestReport, duplicates: DuplicateFinder) -> list[_Pending]:
    """`groups` (documents to read) read and chunked, each briefing checked for an earlier
    copy."""
    settings = index.settings
    max_bytes = int(settings.ingest.max_file_mb * 1_000_000)
    pending: list[_Pending] = []
    for group in groups:
        key = str(group[0])
        item = _Pending(key, [str(p) for p in group], digests[key], [], [])
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
            _add_briefing(item, briefing, duplicates, settings.chunking, report)
        pending.append(item)
    return pending


def _add_briefing(item: _Pending, briefing: Briefing, duplicates: DuplicateFinder,
                  chunking: ChunkingSettings, report: IngestReport) -> None:
    """`briefing` chunked into `item`, unless an earlier copy is indexed (then skipped)."""
    fp = fingerprint(briefing)
    twin = duplicates.claim(briefing, item.key, fp)
    if twin is not None:
        item.status = DUPLICATE
        report.skipped.append(Problem(item.key, f"duplicate of {twin[0]}: {twin[1]} "
                                                f"('{briefing.title}'); kept that one"))
        return
    item.briefings.append(briefing)
    item.fingerprints.append(fp)
    item.chunks.append(chunk_briefing(briefing, chunking.max_words, chunking.overlap_sentences,
                                      chunking.min_words))


def _vectors(pending: list[_Pending], index: Index, report: IngestReport,
             on_step: Callable[[str], None] | None, where: str,
             vectors_from: Index | None) -> dict[str, bytes]:
    """A vector for every passage of one batch (`where` names it): reused where the index (or
    `vectors_from`) already has one for the same input, the rest encoded once each."""
    settings = index.settings
    inputs: dict[str, str] = {}  # embed key -> text to encode
    for item in pending:
        for chunks in item.chunks:
            keys = []
            for chunk in chunks:
                text = embed_input(chunk.text, chunk.turn.question,
                                   settings.embedding.with_question)
                keys.append(content_hash(text))
                inputs[keys[-1]] = text
            item.embed_keys.append(keys)
    vectors = index.store.vectors_for(list(inputs))
    if vectors_from is not None:
        vectors.update(vectors_from.store.vectors_for([k for k in inputs if k not in vectors]))
    report.reused += len(vectors)
    todo = [k for k in inputs if k not in vectors]
    if not todo:
        return vectors
    if on_step:
        on_step(f"embedding {len(todo)} passages ({where})")
    embedder = index.embedder()
    t0 = time.perf_counter()
    block = embedder.encode([inputs[k] for k in todo], batch_size=settings.ingest.batch_size)
    vectors.update((k, v.astype("<f4").tobytes()) for k, v in zip(todo, block))
    report.encode_seconds += time.perf_counter() - t0
    report.embedded += len(todo)
    return vectors


def _commit(pending: list[_Pending], removed: list[str], vectors: dict[str, bytes],
            index: Index, report: IngestReport, last: bool) -> None:
    """One batch (or the pruned documents) in one transaction, with a new generation when the
    searchable passages changed. The `last` transaction of a run also completes surnames
    (Store.complete_surnames reads every official turn: once a run, not once a batch; a run
    killed before it leaves the rest to the run that resumes)."""
    store = index.store
    deleted = 0
    added = report.passages
    with store.transaction():
        for key in removed:
            deleted += store.delete_document(key)
        for item in pending:
            deleted += store.delete_document(item.key)
            reason = next((p.reason for p in report.skipped if p.where == item.key), "")
            status = "ok" if item.briefings else item.status
            store.put_document(item.key, item.paths, item.hash, status,
                               "" if status == "ok" else reason)
            for briefing, fp, chunks, keys in zip(item.briefings, item.fingerprints,
                                                  item.chunks, item.embed_keys):
                turn_ids = store.add_briefing(briefing, item.key, fp)
                for chunk, key in zip(chunks, keys):
                    turn = chunk.turn
                    store.add_passage(turn_ids[turn.order], briefing, turn.speaker, turn.role,
                                      chunk.start, chunk.end, chunk.text, turn.question, key,
                                      vectors[key])
                report.briefings += 1
                report.turns += len(briefing.turns)
                report.passages += len(chunks)
            if item.briefings:
                report.updated += 1
        if last:
            report.named = store.complete_surnames()
        if deleted or report.passages > added:
            store.set_meta("generation", str(index.generation + 1))
    report.removed += len(removed)
