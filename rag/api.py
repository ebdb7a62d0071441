"""The library API: one index, searched and answered from. The CLI, the app and other programs
use this class; nothing above it reaches into the stages below.

    from rag import Briefings, Filters
    briefings = Briefings.open("index")
    answer = briefings.ask("What did Geng Shuang say about the trade war in May 2019?")
    print(answer.text, [c.source.passage.date for c in answer.citations])
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterator, Sequence

from rag import config
from rag.answer.answerer import Answerer
from rag.answer.compare import Comparison
from rag.answer.plan import Plan
from rag.answer.records import Answer, Event
from rag.answer.timeline import TimelineMark, timeline
from rag.filters import Filters
from rag.ingest.report import IngestReport
from rag.ingest.run import ingest
from rag.models.generators import Generator
from rag.records import Briefing, names_a_role
from rag.search.hints import Hints
from rag.search.retriever import Retrieval, Retriever
from rag.store import open_index
from rag.store.index import Index
from rag.verify.quoted import quoted
from rag.verify.records import Claim, QuoteCheck


class Briefings:
    """Search, answers, comparisons, timelines and ingest over one index."""

    def __init__(self, index: Index, generator: Generator | None = None) -> None:
        self.index = index
        self.settings = index.settings
        self.retriever = Retriever(index)
        self.answerer = Answerer(self.retriever, generator, index.settings)

    @classmethod
    def open(cls, location: str | os.PathLike | None = None,
             settings: config.Settings | None = None, create: bool = False,
             generator: Generator | None = None) -> "Briefings":
        """The index at `location`: a folder or a postgresql:// URL (default: index.url, else
        index.dir of the configuration)."""
        settings = settings or config.load()
        location = config.index_location(settings, location)
        return cls(open_index(location, create=create, settings=settings), generator)

    def close(self) -> None:
        self.index.close()

    # -- what the index holds ---------------------------------------------------------------------
    def speakers(self) -> list[str]:
        """Official speakers, most frequent first."""
        return self.retriever.known_speakers()

    def speaker_menu(self) -> list[tuple[str, int, bool]]:
        """(speaker, briefings, names a person) for every official: people by name, then the
        roles ("Aide", "Senior Administration Official") by name, apart."""
        people = self.index.store.speaker_briefings()
        return sorted(((name, n, not names_a_role(name)) for name, n in people),
                      key=lambda row: (not row[2], row[0].casefold()))

    def stats(self) -> dict:
        """Counts of briefings, turns, passages and speakers, the date range, the size on disk
        and the embedding model."""
        stats = self.index.store.stats()
        stats["size_bytes"] = self.index.size_bytes()
        stats["embedding_model"] = self.index.manifest["embedding_model"]
        stats["top_speakers"] = self.index.store.speakers()[:10]
        return stats

    def briefing(self, briefing_id: str) -> Briefing | None:
        """The whole briefing, its turns in order (None when the index has no such id)."""
        return self.index.store.briefing(briefing_id)

    def passage_spans(self, briefing_id: str) -> dict[int, list[tuple[int, int, int]]]:
        """Where the briefing's passages sit: turn order -> [(passage id, start, end)]."""
        return self.index.store.passage_spans(briefing_id)

    def ingest(self, paths: Sequence[str | os.PathLike], prune: bool = False,
               progress: bool = False,
               vectors_from: str | os.PathLike | None = None) -> IngestReport:
        """Read transcripts into the index (only what changed); `vectors_from`: another
        index (folder or URL, same embedding model) whose encodings are reused."""
        other = (open_index(config.index_location(self.settings, vectors_from),
                            settings=self.settings) if vectors_from is not None else None)
        try:
            return ingest([Path(p) for p in paths], self.index, prune=prune, progress=progress,
                          vectors_from=other)
        finally:
            if other is not None:
                other.close()

    # -- questions --------------------------------------------------------------------------------
    def search(self, query: str, k: int | None = None, filters: Filters | None = None,
               use_hints: bool = True) -> Retrieval:
        """The k best passages for `query`; speakers and dates it names steer the search
        unless `use_hints` is off."""
        return self.retriever.search(query, k, filters, None if use_hints else Hints())

    def plan(self, question: str, filters: Filters | None = None, history: Sequence[Answer] = (),
             use_hints: bool = True, speakers: Sequence[str] = ()) -> Plan:
        """What `question` asks, parsed once: its follow-up rewrite, hints, a comparison's sides."""
        return self.answerer.plan(question, filters, history, use_hints, speakers)

    def conversation(self, exchanges: Sequence[tuple[str, str]]) -> list[Answer]:
        """Earlier (question, reply) pairs of a conversation, oldest first, as the history a
        follow-up reads: each question is planned again in turn (no search, no model), so
        "she" in the next question finds the official the conversation was about."""
        history: list[Answer] = []
        for question, reply in exchanges:
            plan = self.plan(question, history=history)
            history.append(Answer(question=question, query=plan.text, text=reply,
                                  hints=Filters(speakers=list(plan.hints.speakers))))
        return history

    def stream_plan(self, plan: Plan, no_llm: bool = False, k: int | None = None
                    ) -> Iterator[Event]:
        """The answer events of a question already planned."""
        return self.answerer.stream_plan(plan, no_llm, k)

    def stream(self, question: str, filters: Filters | None = None,
               history: Sequence[Answer] = (), no_llm: bool = False, k: int | None = None,
               use_hints: bool = True, speakers: Sequence[str] = ()) -> Iterator[Event]:
        """An answer as events: "sources", "delta"s, "answer" (see Answerer.stream)."""
        return self.answerer.stream(question, filters, history, no_llm, k, use_hints, speakers)

    def ask(self, question: str, filters: Filters | None = None, history: Sequence[Answer] = (),
            no_llm: bool = False, k: int | None = None, use_hints: bool = True,
            on_event: Callable[[Event], None] | None = None) -> Answer:
        """The checked, cited answer to `question`."""
        return self.answerer.ask(question, filters, history, no_llm, k, use_hints,
                                 on_event=on_event)

    def compare(self, topic: str, speakers: Sequence[str], filters: Filters | None = None,
                no_llm: bool = False) -> Comparison:
        """What each of `speakers` said about `topic`, side by side, each side cited."""
        return self.answerer.compare(topic, speakers, filters, no_llm)

    def timeline(self, topic: str, speakers: Sequence[str], filters: Filters | None = None
                 ) -> list[TimelineMark]:
        """Every briefing in which one of `speakers` spoke on `topic`, in date order: its
        closest statement, how close, and how many statements it holds."""
        return timeline(topic, speakers, self.retriever, self.settings, filters)

    def verify(self, quote: str, speaker: str | None = None, date: str | None = None
               ) -> QuoteCheck:
        """Whether `speaker` said these exact words (on `date`): verbatim, altered,
        misattributed or not_found, with the transcript's words and every other occurrence."""
        return self.answerer.checker.check(Claim(quote, speaker or None, date or None))

    def verify_text(self, text: str) -> list[QuoteCheck]:
        """Every quotation of an article checked against the official it is attributed to."""
        return [self.answerer.checker.check(q.claim)
                for q in quoted(text, self.speakers(), self.settings.verify.min_words)]

    def model(self) -> str | None:
        """The name of the model that writes answers (loaded on first use); None: no model
        loads here, so answers quote the best excerpts."""
        generator = self.answerer.generator()
        return generator.name if generator else None

    def warm_up(self, no_llm: bool = False) -> bool:
        """Load the embedder, the vectors and (unless no_llm) the model before the first
        question; False when no model answers."""
        return self.answerer.warm_up(no_llm)
