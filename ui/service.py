"""What the app asks of the library: answers in two steps, comparisons, timelines and uploads.

An answer is started in one event (retrieval, several at a time) and finished in another
(generation, one at a time), so its sources show while it waits for the model. A started
answer is the library's own event stream (Answerer.stream / compare.stream) paused after its
"sources" event; finishing it just reads on. Uploads are ingested on their own Index
connection, so searches go on meanwhile (SQLite WAL; the shared Index reloads its FAISS file
when the store's generation changes).
"""
from __future__ import annotations

import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from rag.answer import compare
from rag.search import hints as query
from rag.answer.answerer import Answer, Answerer, Event
from rag.filters import Filters
from rag.store.index import Index
from rag.ingest.run import ingest
from rag.search.retriever import Retrieval, Retriever


@dataclass
class Started:
    """An answer paused after retrieval: its sources so far, and the events that finish it."""

    answer: Answer
    events: Iterator[Event]


@dataclass
class FileOutcome:
    """What became of one uploaded file."""

    name: str
    status: str       # "indexed", "skipped" (not a transcript, a duplicate) or "failed"
    reason: str = ""


class HintFreeRetriever(Retriever):
    """A retriever that ignores the speakers and dates a question names (hints turned off)."""

    def search(self, text: str, k: int | None = None, filters: Filters | None = None,
               infer: bool = True) -> Retrieval:
        return super().search(text, k, filters, infer=False)


def _start(events: Iterator[Event]) -> Started:
    first = next(events)  # the "sources" event: retrieval is done, nothing generated yet
    return Started(first.answer, events)


def _free_path(folder: Path, name: str) -> Path:
    """`folder/name`, or `folder/stem-2.suffix` ... when taken: an upload never replaces a file."""
    name = Path(name).name.lstrip(".") or "upload.txt"
    path = folder / name
    number = 2
    while path.exists():
        path = folder / f"{Path(name).stem}-{number}{Path(name).suffix}"
        number += 1
    return path


class Service:
    """One index, answered from by every session of the app."""

    def __init__(self, index: Index, uploads: Path, generator=None, no_llm: bool = False,
                 timeline_speakers: int = 6) -> None:
        self.index = index
        self.uploads = uploads
        self.no_llm = no_llm
        self.timeline_speakers = timeline_speakers
        self.retriever = Retriever(index)
        self._answerers = {True: Answerer(self.retriever, generator),
                           False: Answerer(HintFreeRetriever(index), generator)}
        self._ingesting = threading.Lock()

    def warm_up(self) -> None:
        """Load what the first question would wait for (see Answerer.warm_up)."""
        self._answerers[True].warm_up(no_llm=self.no_llm)

    # -- what the index holds ---------------------------------------------------------------------
    def speakers(self) -> list[str]:
        return self.retriever.known_speakers()

    def stats(self) -> dict:
        stats = self.index.store.stats()
        stats["top_speakers"] = self.index.store.speakers()[:10]
        return stats

    # -- answers ----------------------------------------------------------------------------------
    def ask(self, question: str, filters: Filters, history: Sequence[Answer],
            use_hints: bool = True) -> Started:
        """Retrieve for `question` (a follow-up of `history`); generation waits in the result."""
        if not question.strip():
            raise ValueError("Type a question first.")
        answerer = self._answerers[use_hints]
        return _start(answerer.stream(question.strip(), filters, history, no_llm=self.no_llm))

    def compare(self, topic: str, speakers: Sequence[str], filters: Filters) -> Started:
        """Retrieve each speaker's side on `topic`: the speakers picked, else those it names."""
        if not topic.strip():
            raise ValueError("Type a topic or a question first.")
        chosen = list(dict.fromkeys(speakers)) or query.infer(topic, self.speakers()).speakers
        if len(chosen) < 2:
            raise ValueError("Pick two or more speakers, or name them in the question.")
        return _start(compare.stream(self._answerers[True], topic.strip(),
                                     compare.speaker_sides(chosen, filters), filters,
                                     no_llm=self.no_llm))

    def timeline(self, topic: str, speakers: Sequence[str],
                 filters: Filters) -> tuple[list[str], list[compare.Statement]]:
        """The speakers plotted (picked, else named in the topic, else the most frequent ones)
        and their statements on `topic` in date order."""
        if not topic.strip():
            raise ValueError("Type a topic first.")
        known = self.speakers()
        chosen = (list(dict.fromkeys(speakers)) or query.infer(topic, known).speakers
                  or known[: self.timeline_speakers])
        return chosen, compare.timeline(topic.strip(), chosen, self.retriever, filters)

    # -- uploads ----------------------------------------------------------------------------------
    def add_files(self, files: Sequence[Path], progress: bool = True) -> list[FileOutcome]:
        """Copy uploaded files into the uploads folder and ingest them, one upload at a time.

        Returns one outcome per file, in order; files that were not indexed are removed again,
        so the folder keeps only transcripts (a rebuilt index ingests it with the corpus)."""
        with self._ingesting:
            self.uploads.mkdir(parents=True, exist_ok=True)
            copies: list[tuple[str, Path]] = []
            for file in files:
                copy = _free_path(self.uploads, Path(file).name)
                shutil.copyfile(file, copy)
                copies.append((Path(file).name, copy.resolve()))
            # A connection of its own: the shared one keeps serving searches meanwhile.
            index = Index.open(self.index.directory, settings=self.index.settings)
            try:
                report = ingest([copy for _, copy in copies], index, progress=progress)
            finally:
                index.close()
        problems: dict[str, tuple[str, str]] = {}
        for status, found in (("failed", report.failed), ("skipped", report.skipped)):
            for problem in found:
                problems.setdefault(problem.path, (status, problem.reason))
        warnings = {p.path: p.reason for p in report.warnings}
        outcomes = []
        for name, copy in copies:
            status, reason = problems.get(str(copy), ("indexed", warnings.get(str(copy), "")))
            if status != "indexed":
                copy.unlink(missing_ok=True)
            outcomes.append(FileOutcome(name, status, reason))
        return outcomes
