"""What the app asks of the library: answers in two steps, comparisons, timelines and uploads.

An answer is started in one event (retrieval, several at a time) and finished in another
(generation, one at a time), so its sources show while it waits for the model. A started
answer is the library's own event stream (Answerer.stream, a comparison included) paused after
its "sources" event; finishing it just reads on. Uploads are ingested on their own Index
connection, so searches go on meanwhile (SQLite WAL; the shared Index reloads its FAISS file
when the store's generation changes).
"""
from __future__ import annotations

import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from rag.answer.records import Answer, Event
from rag.answer.timeline import TimelineMark
from rag.api import Briefings
from rag.filters import Filters
from rag.models.generators import Generator
from rag.records import Briefing
from rag.store.index import Index
from rag.verify.records import QuoteCheck
from ui.permalinks import SavedAnswers


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

    def __init__(self, index: Index, uploads: Path, generator: Generator | None = None,
                 no_llm: bool = False, timeline_speakers: int = 6) -> None:
        self.index = index
        self.uploads = uploads
        self.no_llm = no_llm
        self.timeline_speakers = timeline_speakers
        self.briefings = Briefings(index, generator)
        # the model's own limit (a local model 1, a server its parallel slots) is the page's
        self.generations = generator.concurrency if generator else 1
        self._ingesting = threading.Lock()
        self.saved = SavedAnswers(index.state_dir)

    def warm_up(self) -> None:
        """Load what the first question would wait for (see Briefings.warm_up)."""
        self.briefings.warm_up(no_llm=self.no_llm)

    # -- what the index holds ---------------------------------------------------------------------
    def speakers(self) -> list[str]:
        return self.briefings.speakers()

    def speaker_menu(self) -> list[tuple[str, int, bool]]:
        return self.briefings.speaker_menu()

    def stats(self) -> dict:
        return self.briefings.stats()

    def briefing(self, briefing_id: str
                 ) -> tuple[Briefing | None, dict[int, list[tuple[int, int, int]]]]:
        """A whole briefing and where its passages sit (turn order -> [(passage, start, end)])."""
        briefing = self.briefings.briefing(briefing_id)
        return briefing, (self.briefings.passage_spans(briefing_id) if briefing else {})

    # -- answers ----------------------------------------------------------------------------------
    def ask(self, question: str, filters: Filters, history: Sequence[Answer],
            use_hints: bool = True) -> Started:
        """Retrieve for `question` (a follow-up of `history`); generation waits in the result.
        With `use_hints` off the speakers and dates it names steer no search."""
        if not question.strip():
            raise ValueError("Type a question first.")
        return _start(self.briefings.stream(question.strip(), filters, history,
                                            no_llm=self.no_llm, use_hints=use_hints))

    def compare(self, topic: str, speakers: Sequence[str], filters: Filters,
                use_hints: bool = True) -> Started:
        """Retrieve each speaker's side on `topic`: the speakers picked, else those it names."""
        if not topic.strip():
            raise ValueError("Type a topic or a question first.")
        plan = self.briefings.plan(topic.strip(), filters, use_hints=use_hints,
                                   speakers=list(dict.fromkeys(speakers)))
        if len(plan.sides) < 2 or plan.sides[0].across_briefings:
            raise ValueError("Pick two or more speakers, or name them in the question.")
        return _start(self.briefings.stream_plan(plan, no_llm=self.no_llm))

    def timeline(self, topic: str, speakers: Sequence[str],
                 filters: Filters) -> tuple[list[str], list[TimelineMark]]:
        """The speakers plotted (picked, else named in the topic, else the most frequent ones)
        and, in date order, every briefing in which they spoke on `topic`."""
        if not topic.strip():
            raise ValueError("Type a topic first.")
        chosen = (list(dict.fromkeys(speakers))
                  or self.briefings.plan(topic).hints.speakers
                  or self.speakers()[: self.timeline_speakers])
        return chosen, self.briefings.timeline(topic.strip(), chosen, filters)

    def verify(self, text: str, speaker: str | None, day: str | None,
               article: bool = False) -> list[QuoteCheck]:
        """The check of one quote credited to `speaker` on `day`, or with `article` of every
        quotation in the pasted text."""
        if not text.strip():
            raise ValueError("Paste the words to check first.")
        if article:
            return self.briefings.verify_text(text)
        return [self.briefings.verify(text.strip(), (speaker or "").strip() or None, day)]

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
            uploads = Briefings.open(self.index.location, settings=self.index.settings)
            try:
                report = uploads.ingest([copy for _, copy in copies], progress=progress)
            finally:
                uploads.close()
        problems: dict[str, tuple[str, str]] = {}
        for status, found in (("failed", report.failed), ("skipped", report.skipped)):
            for problem in found:
                problems.setdefault(problem.where, (status, problem.reason))
        warnings = {p.where: p.reason for p in report.warnings}
        outcomes = []
        for name, copy in copies:
            status, reason = problems.get(str(copy), ("indexed", warnings.get(str(copy), "")))
            if status != "indexed":
                copy.unlink(missing_ok=True)
            outcomes.append(FileOutcome(name, status, reason))
        return outcomes
