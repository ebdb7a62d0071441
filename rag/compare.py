"""Comparing officials: what two or more speakers said on one topic, side by side and over time.

`compare` searches once per speaker (a hard speaker filter each), numbers the passages of all
sides in one list, and asks for a short comparison citing both sides; a side the model leaves
uncited gets an extractive line, so every side's evidence is among the citations. `timeline`
lists each speaker's matching statements in date order.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from itertools import zip_longest
from typing import Callable, Iterator, Sequence

from rag.answer import (Answer, Answerer, Event, Relevance, Source, excerpt_bounds,
                        without_names)
from rag.config import Settings
from rag.filters import Filters
from rag.generate import Generator
from rag.records import Passage
from rag.retrieve import Retrieval, Retriever


@dataclass
class Comparison:
    """The comparison answer; its sources are the sides' excerpts, numbered across sides."""

    topic: str
    speakers: list[str]
    answer: Answer

    @property
    def sides(self) -> dict[str, list[Source]]:
        """Each speaker's excerpts (dates and titles on their passages), in rank order."""
        return {name: [s for s in self.answer.sources if s.passage.speaker == name]
                for name in self.speakers}


@dataclass
class Statement:
    """One entry of a timeline: a speaker's matching passage and its most relevant words."""

    speaker: str
    date: str
    excerpt: str        # exact slice of passage.text
    passage: Passage
    similarity: float   # to the topic, as the answer layer's evidence measure

    def as_dict(self) -> dict:
        p = self.passage
        return {"speaker": self.speaker, "date": self.date, "title": p.title,
                "source": p.location, "excerpt": self.excerpt, "text": p.text,
                "similarity": round(self.similarity, 4)}


def _side_search(answerer: Answerer, topic: str, speaker: str, filters: Filters,
                 k: int) -> Retrieval:
    only = filters.narrowed(Filters(speakers=[speaker])) or Filters(speakers=[speaker])
    return answerer.retriever.search(topic, k=k, filters=only)


def stream(answerer: Answerer, question: str, speakers: Sequence[str],
           filters: Filters | None = None, query_text: str | None = None, no_llm: bool = False,
           started: float | None = None) -> Iterator[Event]:
    """Events of a comparison answer (as Answerer.stream): one search per speaker, passages
    numbered across sides, every side cited in the final answer."""
    started = started if started is not None else time.perf_counter()
    if not no_llm:
        answerer.generator()  # loaded first: select() counts tokens with the model's tokenizer
    filters = filters or Filters()
    query_text = query_text or question
    speakers = list(dict.fromkeys(speakers))
    topic = without_names(query_text, speakers)
    options = answerer.options
    per_side = int(options.compare_per_side)
    budget = int(options.prompt_budget_tokens) // max(1, len(speakers))
    sides: list[list[Source]] = []
    rankings: list[list[Passage]] = []
    retrieve_ms = 0.0
    for speaker in speakers:
        retrieval = _side_search(answerer, topic, speaker, filters, int(options.k))
        retrieve_ms += retrieval.timings["retrieve_ms"]
        rankings.append(retrieval.passages)
        first = 1 + sum(len(side) for side in sides)
        sides.append(answerer.select(topic, retrieval.passages, limit=per_side, budget=budget,
                                     first_marker=first))
    sources = [s for side in sides for s in side]
    # the sides' rankings interleaved, so any top k holds the best of every side
    retrieved = [p for rank in zip_longest(*rankings) for p in rank if p is not None]
    answer = Answer(question=question, query=query_text, sources=sources, retrieved=retrieved,
                    kind="compare", filters=filters, hints=Filters(speakers=speakers),
                    timings={"retrieve_ms": retrieve_ms})
    names = ", ".join(speakers)
    instruction = (f"Answer in two short sentences: first what {speakers[0]} said, then what "
                   f"{speakers[-1]} said, each with its passage number."
                   if len(speakers) == 2 else
                   f"Answer with one short sentence for each of {names}, each with its passage "
                   "number.")
    yield from answerer.complete(answer, sources, started, no_llm=no_llm,
                                 instruction=instruction, sides=sides,
                                 max_tokens=int(options.compare_max_tokens))


def compare(topic: str, speakers: Sequence[str], retriever: Retriever,
            generator: Generator | None = None, filters: Filters | None = None,
            no_llm: bool = False, settings: Settings | None = None,
            on_event: Callable[[Event], None] | None = None) -> Comparison:
    """Compare what `speakers` said about `topic` (a phrase or a whole question)."""
    answerer = Answerer(retriever, generator, settings)
    question = topic if topic.rstrip().endswith("?") else (
        f"What did {' and '.join(speakers)} say about {topic}?")
    final = None
    for event in stream(answerer, question, speakers, filters, no_llm=no_llm):
        if on_event:
            on_event(event)
        final = event.answer
    return Comparison(topic, list(dict.fromkeys(speakers)), final)


def timeline(topic: str, speakers: Sequence[str], retriever: Retriever,
             filters: Filters | None = None, k: int | None = None,
             settings: Settings | None = None) -> list[Statement]:
    """Each speaker's statements matching `topic`, all in date order (then by speaker).

    A statement counts when its similarity to the topic reaches answer.min_evidence."""
    answerer = Answerer(retriever, settings=settings)
    options = answerer.options
    filters = filters or Filters()
    speakers = list(dict.fromkeys(speakers))
    text = without_names(topic, speakers)
    statements: list[Statement] = []
    for speaker in speakers:
        passages = _side_search(answerer, text, speaker, filters,
                                int(k or options.timeline_k)).passages
        relevance = Relevance(text, [p.text for p in passages])
        sources = [Source(0, p, p.text[a:b], a) for p in passages
                   for a, b in [excerpt_bounds(p.text, relevance, int(options.timeline_words))]]
        for source, similarity in zip(sources, answerer.similarities(text, sources)):
            if similarity >= float(options.min_evidence):
                statements.append(Statement(speaker, source.passage.date, source.text,
                                            source.passage, float(similarity)))
    statements.sort(key=lambda s: (s.date, speakers.index(s.speaker), s.passage.turn_order))
    return statements
