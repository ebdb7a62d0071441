"""The answerer: a question -> its plan -> passages -> evidence sentences -> an answer that
leads with one direct sentence and then quotes its evidence, cited and dated.

    plan (rag.answer.plan: follow-up, hints, sides, names, kind of answer) -> retrieve (one
    search, or one per side) -> evidence sentences across the top passages (rag.answer.evidence)
    -> the direct sentence: the model's, from the numbered evidence alone, checked against the
    evidence it cites (a sentence it does not state is dropped), or without a model the best
    evidence sentence -> the evidence quoted under it -> citation check (rag.citations)

A question about quoted words ('Who said "..."?', 'Did Vale say "..."?') is answered by the
quote check (rag.verify) instead: its verdict, the transcript's exact words cited, no model.

A refusal, which still shows the nearest excerpts and says what was searched, comes when the
question names something the index never mentions, when the best evidence sentence is too far
from the question (min_evidence), or when the model says, in any wording, that the evidence does
not answer. Every answer streams as events: "sources" (retrieval done), "delta"s (the model's
words, unchecked), then "answer" (checked): the CLI, the app and eval read the same.
"""
from __future__ import annotations

import dataclasses
import math
import time
import typing
from typing import Callable, Iterator, Sequence

from rag.answer.compare import Comparison, comparison_question, gather, side_text
from rag.answer.evidence import Selector
from rag.answer.extractive import extractive_text, lacking, quotes_text
from rag.answer.plan import Plan, plan_question
from rag.answer.prompt import build_messages
from rag.answer.records import Answer, Citation, Event, Part, Source
from rag.answer.refusals import NOTHING_FOUND, REFUSAL, is_refusal
from rag.answer.sides import speaker_sides
from rag.citations.check import (Change, Checks, Step, answer_steps, apply, check, grounded,
                                 reply_steps)
from rag.citations.evidence import Evidence
from rag.citations.markers import markers
from rag.config import Settings
from rag.filters import Filters
from rag.models.generators import Generator, GeneratorUnavailable, load_generator
from rag.records import Passage
from rag.search.retriever import Retriever
from rag.store.keywords import query_words
from rag.verify.checker import QuoteChecker
from rag.verify.records import Match


class Answerer:
    """Answers questions over one index with one generator (or extractively without one)."""

    def __init__(self, retriever: Retriever, generator: Generator | None = None,
                 settings: Settings | None = None) -> None:
        self.retriever = retriever
        self.settings = settings or retriever.index.settings
        self.options = self.settings.answer
        self.selector = Selector(self.settings.evidence, retriever.index.embedder,
                                 self.count_tokens)
        self.checker = QuoteChecker(retriever, self.settings.verify)
        self._generator = generator
        self._unavailable = ""  # why no generator could be loaded, once tried

    # -- pieces -----------------------------------------------------------------------------------
    def generator(self) -> Generator | None:
        """The generator, loaded on first use; None (with the reason kept) when unavailable."""
        if self._generator is None and not self._unavailable:
            try:
                self._generator = load_generator(self.settings)
            except GeneratorUnavailable as err:
                self._unavailable = str(err)
        return self._generator

    def warm_up(self, no_llm: bool = False) -> bool:
        """Make the first question as quick as the next: one search loads the embedder and the
        dense index; unless no_llm, the model is loaded and the fixed prompt prefix evaluated
        (about 560 tokens, several seconds on CPU). False when no model answers."""
        self.retriever.search("warm up", k=1)
        generator = None if no_llm else self.generator()
        if generator is None:
            return False
        for _ in generator.stream(build_messages("", []), 1):
            pass
        return True

    def count_tokens(self, text: str) -> int:
        if self._generator is not None:
            return self._generator.count_tokens(text)
        return math.ceil(len(text) / 4)  # no tokenizer loaded: English averages ~4 chars a token

    def unknown_names(self, plan: Plan) -> list[str]:
        """Names in the question that no passage of the index contains: what it asks about is
        not in the briefings (measured on the dev set: every unanswerable question naming an
        event the corpus lacks had one, no answerable question did)."""
        return [name for name in plan.names
                if query_words(name) and not self.retriever.mentions(name)]

    def plan(self, question: str, filters: Filters | None = None, history: Sequence[Answer] = (),
             use_hints: bool = True, speakers: Sequence[str] = ()) -> Plan:
        """`question` parsed once (see rag.answer.plan). Two or more `speakers` fix a
        comparison's sides, and a topic phrase becomes the question it asks of them."""
        if not speakers:
            return plan_question(question, self.retriever.known_speakers(), filters, history,
                                 use_hints, quote_min_words=self.settings.verify.min_words)
        plan = plan_question(comparison_question(question, speakers),
                             self.retriever.known_speakers(), filters, history, use_hints,
                             speaker_sides(speakers, filters))
        return dataclasses.replace(plan, question=question)

    # -- answers ----------------------------------------------------------------------------------
    def stream(self, question: str, filters: Filters | None = None,
               history: Sequence[Answer] = (), no_llm: bool = False, k: int | None = None,
               use_hints: bool = True, speakers: Sequence[str] = ()) -> Iterator[Event]:
        """Answer `question`, as events: "sources" before generation, "delta"s, then "answer".

        `filters` are hard limits; speakers and dates named in the question become hints
        (unless `use_hints` is off). `history` holds the conversation's earlier answers, oldest
        first. Two or more `speakers` (or a question naming them) make it a comparison."""
        yield from self.stream_plan(self.plan(question, filters, history, use_hints, speakers),
                                    no_llm, k)

    def stream_plan(self, plan: Plan, no_llm: bool = False, k: int | None = None
                    ) -> Iterator[Event]:
        """The events answering a question already planned (see `stream`)."""
        started = time.perf_counter()
        if plan.claim is not None:   # 'Who said "..."?': the quote check answers, not a model
            yield from self._quote_check(plan, started)
            return
        if not no_llm:
            self.generator()  # loaded first: selection counts tokens with the model's tokenizer
        if plan.sides:
            gathered = gather(plan, self.retriever, self.selector, self.options.k,
                              self.options.compare_per_side)
            answer = Answer(question=plan.question, query=plan.text, sources=gathered.sources,
                            retrieved=gathered.retrieved, kind="compare", filters=plan.filters,
                            hints=Filters(speakers=list(dict.fromkeys(
                                n for side in plan.sides for n in side.filters.speakers))),
                            sides=gathered.sides,
                            timings={"retrieve_ms": gathered.retrieve_ms})
            parts = gathered.parts
            # a comparison stands on its sides: one with no statement says so
            answer.evidence = 1.0 if gathered.sources else 0.0
        else:
            retrieval = self.retriever.search(plan.text, k=k or self.options.k,
                                              filters=plan.filters, hints=plan.hints)
            facets = plan.hints.facets(month_slack_days=self.settings.search.month_slack_days)
            selection = self.selector.select(retrieval.topic, retrieval.passages, plan.kind,
                                             facets)
            answer = Answer(question=plan.question, query=plan.text, sources=selection.sources,
                            retrieved=list(retrieval.passages), filters=retrieval.filters,
                            hints=retrieval.hints, evidence=selection.strength,
                            timings={"retrieve_ms": retrieval.timings["retrieve_ms"]})
            parts = [Part(selection.sources)]
        yield from self._complete(answer, plan, parts, started, no_llm)

    def ask(self, question: str, filters: Filters | None = None, history: Sequence[Answer] = (),
            no_llm: bool = False, k: int | None = None, use_hints: bool = True,
            speakers: Sequence[str] = (),
            on_event: Callable[[Event], None] | None = None) -> Answer:
        """The final answer to `question` (see `stream`); `on_event` sees every event."""
        final = None
        for event in self.stream(question, filters, history, no_llm, k, use_hints, speakers):
            if on_event:
                on_event(event)
            final = event.answer
        return final

    def compare(self, topic: str, speakers: Sequence[str], filters: Filters | None = None,
                no_llm: bool = False, on_event: Callable[[Event], None] | None = None
                ) -> Comparison:
        """Compare what `speakers` said about `topic` (a phrase or a whole question)."""
        return Comparison(topic, self.ask(topic, filters, no_llm=no_llm, speakers=speakers,
                                          on_event=on_event))

    def _quote_check(self, plan: Plan, started: float) -> Iterator[Event]:
        """A question about quoted words answered by the quote check: its verdict, then the
        transcript's exact words, cited (and other briefings where they were said); words
        found nowhere are a refusal showing the nearest excerpts."""
        result = self.checker.check(plan.claim)
        shown = ([result.found] + result.occurrences)[:1 + self.options.quotes] if result.found \
            else result.nearest
        sources = [_quoted_source(n, m) for n, m in enumerate(shown, 1)]
        answer = Answer(question=plan.question, query=plan.claim.quote, sources=sources,
                        retrieved=[s.passage for s in sources], mode="quote check",
                        kind="quote", filters=plan.filters, evidence=1.0 if result.found else 0.0,
                        timings={"retrieve_ms": result.timings["check_ms"]})
        yield Event("sources", dataclasses.replace(answer, timings=dict(answer.timings)))
        if result.found is None:
            answer.refused = True
            answer.text = result.summary(detail=False)
        else:
            lines = [f"{result.summary(detail=False)} [1]", f"\u201c{result.found.text}\u201d [1]"]
            lines += [f"Also said on {m.turn.date} by {m.turn.speaker} [{n}]"
                      for n, m in enumerate(shown[1:], 2)]
            answer.text = "\n".join(lines)
            self._check(answer, self._evidence(answer), ())
        answer.timings["first_token_s"] = answer.timings["total_s"] = \
            time.perf_counter() - started
        yield Event("answer", answer)

    # -- generation and checks --------------------------------------------------------------------
    def _complete(self, answer: Answer, plan: Plan, parts: list[Part], started: float,
                  no_llm: bool) -> Iterator[Event]:
        """Generate (or extract), check and finish `answer`, one generation per part."""
        generator = None if no_llm else self.generator()
        if generator is None:
            answer.mode = "extractive"
            answer.note = "" if no_llm else f"no answer model ({self._unavailable}): best excerpts"
        # a snapshot: the answer object itself is completed below
        yield Event("sources", dataclasses.replace(answer, timings=dict(answer.timings)))

        unknown = self.unknown_names(plan)
        if not answer.sources:
            self._refuse(answer, plan, "nothing retrieved")
        elif unknown:
            self._refuse(answer, plan, "the index never mentions " + ", ".join(unknown))
        elif answer.evidence < self.options.min_evidence:
            self._refuse(answer, plan, "weak evidence")
        elif generator is None:
            answer.text = "\n".join(side_text(part, "") for part in parts) if plan.sides else \
                extractive_text(plan.kind, plan.text, plan.hints.speakers, answer.sources,
                                self.options.quotes, self.options.grounded_share)
            answer.timings["first_token_s"] = time.perf_counter() - started
            self._check(answer, self._evidence(answer), answer_steps(*self._shares()))
        else:
            answer.given = [s.text for s in answer.sources]
            officials = [side.label for side in plan.sides if not side.across_briefings]
            yield from self._generate(answer, plan, generator, parts, officials, started)
        answer.timings.setdefault("first_token_s", time.perf_counter() - started)
        answer.timings["total_s"] = time.perf_counter() - started
        yield Event("answer", answer)

    def _generate(self, answer: Answer, plan: Plan, generator: Generator, parts: list[Part],
                  officials: Sequence[str], started: float) -> Iterator[Event]:
        """One direct sentence per part, streamed as "delta" events and checked against the
        part's own evidence (on an official's side, without sentences naming the other
        `officials`), then the evidence quoted under it; the whole answer is checked (or
        refused when the model finds no answer in any part)."""
        evidence = self._evidence(answer)
        texts: list[str] = []
        replies: list[str] = []
        changes: list[Change] = []
        for part in parts:
            if part.label:
                yield Event("delta", answer, f"{part.label}: " if not replies else
                            f"\n{part.label}: ")
            if not part.sources:  # a side nothing was found for: no model call
                replies.append(f"{part.label}: {NOTHING_FOUND}")
                yield Event("delta", answer, NOTHING_FOUND)
                texts.append(side_text(part, ""))
                continue
            own = evidence if len(parts) == 1 else evidence.only(s.marker for s in part.sources)
            others = [name for name in officials if name != part.label]
            reply, text, changed = yield from self._reply(answer, generator, part, own, others,
                                                          started)
            changes += changed
            replies.append(f"{part.label}: {reply}" if part.label else reply)
            if is_refusal(reply):
                if len(parts) > 1:
                    texts.append(side_text(part, ""))
                continue
            if len(parts) > 1:
                texts.append(side_text(part, text))
            else:
                missing = lacking(plan.kind, plan.text, plan.hints.speakers, part.sources,
                                  self.options.grounded_share, text)
                lines = [missing, "" if missing else text,
                         quotes_text(part.sources, self.options.quotes,
                                     [] if missing else markers(text))]
                texts.append("\n".join(line for line in lines if line))
        answer.model_text = "\n".join(replies)
        if not texts:
            self._refuse(answer, plan, "the model found no answer in the evidence")
            return
        answer.text = "\n".join(texts)
        self._check(answer, evidence, answer_steps(*self._shares(), replied=True), changes)

    def _reply(self, answer: Answer, generator: Generator, part: Part, evidence: Evidence,
               others: Sequence[str], started: float
               ) -> typing.Generator[Event, None, tuple[str, str, list[Change]]]:
        """Stream one part's reply as "delta" events. Returns the reply, its text after
        reply_steps and the grounding check against the part's own `evidence` (`others`: the
        officials of the other sides), and what they changed."""
        messages = build_messages(answer.query, part.sources, part.instruction)
        answer.prompt_tokens += sum(generator.count_tokens(m["content"]) for m in messages)
        max_tokens = min(self.options.max_tokens, self.settings.generation.max_tokens)
        pieces: list[str] = []
        for piece in generator.stream(messages, max_tokens, self.settings.generation.temperature):
            answer.timings.setdefault("first_token_s", time.perf_counter() - started)
            pieces.append(piece)
            yield Event("delta", answer, piece)
        reply = "".join(pieces).strip()
        _, min_share, keep_share = self._shares()
        steps = reply_steps(list(answer.sides), generator.count_tokens(reply) >= max_tokens - 1,
                            own_only=bool(evidence.blank()), min_share=min_share,
                            keep_share=keep_share, others=others)
        text, changes = apply(reply, evidence, [*steps, grounded(self.options.grounded_share)])
        return reply, text, changes

    def _shares(self) -> tuple[float, float, float]:
        """The check's thresholds: quote similarity, attribution share, citation keep share."""
        o = self.options
        return o.quote_min_similarity, o.attribute_min_share, o.citation_min_share

    @staticmethod
    def _evidence(answer: Answer) -> Evidence:
        """The answer's evidence sentences as check evidence; what else the model read with
        each (its speaker and date) and the question may hold the words a sentence gives."""
        return Evidence([s.text for s in answer.sources],
                        [f"{s.passage.speaker} {s.passage.date} {answer.query}"
                         for s in answer.sources],
                        [s.passage.question for s in answer.sources])

    def _refuse(self, answer: Answer, plan: Plan, reason: str) -> None:
        """`answer` as a refusal saying what was searched; its sources stay as the nearest
        excerpts."""
        answer.refused = True
        answer.text = f"{REFUSAL} {self.searched(plan)}"
        answer.note = "; ".join(filter(None, [answer.note, reason]))
        answer.checks = Checks()
        answer.citations = []

    def searched(self, plan: Plan) -> str:
        """What a search for `plan` read: '761 briefings, Geng Shuang's first, March 2020.'"""
        count = self.retriever.briefings_searched(plan.filters)
        scope = [f"Searched {count} briefing{'s' if count != 1 else ''}"]
        if plan.filters:
            scope.append(f"within {plan.filters.describe()}")
        if plan.hints:
            scope.append(f"looking first at {plan.hints.describe()}")
        return ", ".join(scope) + "."

    def _check(self, answer: Answer, evidence: Evidence, steps: Sequence[Step],
               earlier: Sequence[Change] = ()) -> None:
        checked = check(answer.text, evidence, steps, earlier)
        sources = answer.sources
        answer.text = checked.text
        answer.checks = checked.checks
        answer.citations = [
            Citation(n, sources[n - 1],
                     [(a + sources[n - 1].start, b + sources[n - 1].start)
                      for a, b in checked.spans.get(n, [])])
            for n in checked.markers]


def _quoted_source(marker: int, match: Match) -> Source:
    """A quote check's match as a numbered source: the sentences around the words, as a
    passage of their turn (a journalist's or the chair's turn too: who said them)."""
    t = match.turn
    start, end = match.excerpt
    passage = Passage(text=t.text[start:end], speaker=t.speaker, role=t.role, date=t.date,
                      title=t.title, source=t.source, location=t.location,
                      briefing_id=t.briefing_id, turn_order=t.order, question=t.question)
    return Source(marker, passage, passage.text, 0)
