"""Comparing statements: each side of a comparison searched and selected on its own.

One search per side (its hard filter, the plan's topic), each side's evidence sentences chosen
from its own passages and numbered in one list, and one generation part per side that reads
that side's evidence alone. A period's side
is searched across the period's briefings. The Answerer generates and checks the parts.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import zip_longest
from typing import Sequence

from rag.answer.evidence import Selector
from rag.answer.extractive import quotes_text
from rag.answer.plan import Plan
from rag.answer.records import Answer, Part, Source
from rag.answer.refusals import NOTHING_FOUND
from rag.citations.markers import markers
from rag.records import Passage
from rag.search.retriever import Retriever


@dataclass
class Gathered:
    """A comparison's evidence: sources numbered across sides, one part per side."""

    sources: list[Source]
    parts: list[Part]
    retrieved: list[Passage]          # the sides' rankings interleaved
    sides: dict[str, list[int]]       # side label -> its markers
    retrieve_ms: float


def gather(plan: Plan, retriever: Retriever, selector: Selector, k: int,
           per_side: int) -> Gathered:
    """Search every side of `plan` for its topic and select `per_side` evidence sentences of
    each from that side's passages alone."""
    chosen: list[list[Source]] = []
    rankings: list[list[Passage]] = []
    retrieve_ms = 0.0
    facets = plan.side_hints.facets()
    for side in plan.sides:
        retrieval = retriever.search(plan.topic, k=k, filters=side.filters, hints=plan.side_hints,
                                     across_briefings=side.across_briefings)
        retrieve_ms += retrieval.timings["retrieve_ms"]
        rankings.append(retrieval.passages)
        chosen.append(selector.select(retrieval.topic, retrieval.passages, plan.kind, facets,
                                      limit=per_side,
                                      first_marker=1 + sum(len(c) for c in chosen)).sources)
    # the sides' rankings interleaved, so any top k holds the best of every side
    retrieved = list({p.id: p for rank in zip_longest(*rankings) for p in rank
                      if p is not None}.values())
    parts = [Part(sources, f"Answer only with {side.said}, in one short sentence ending "
                  "with its evidence numbers.", side.label)
             for side, sources in zip(plan.sides, chosen)]
    return Gathered([s for c in chosen for s in c], parts, retrieved,
                    {side.label: [s.marker for s in c] for side, c in zip(plan.sides, chosen)},
                    retrieve_ms)


@dataclass
class Comparison:
    """A comparison answer; its sources are the sides' excerpts, numbered across sides."""

    topic: str
    answer: Answer

    @property
    def sides(self) -> dict[str, list[Source]]:
        """Each side's excerpts (dates and titles on their passages), in rank order."""
        by_marker = {s.marker: s for s in self.answer.sources}
        return {label: [by_marker[m] for m in markers]
                for label, markers in self.answer.sides.items()}


def comparison_question(topic: str, speakers: Sequence[str]) -> str:
    """A topic phrase as the question a comparison answers (a whole question stays as it is)."""
    return topic if topic.rstrip().endswith("?") else (
        f"What did {' and '.join(speakers)} say about {topic}?")


def side_text(part: Part, reply: str) -> str:
    """A comparison side under its label: the side's direct sentence (the model's `reply`,
    checked, when it cites the side's evidence), then every evidence quote of the side, dated
    and cited, so the reader sees what each official said; a side with no evidence says so."""
    if not part.sources:
        return f"{part.label}: {NOTHING_FOUND}"
    lines = [reply] if markers(reply) else []
    lines.append(quotes_text(part.sources, len(part.sources), markers(reply)))
    text = "\n".join(lines)
    # quotes begin with their speaker's name: a speaker's side needs no other heading
    return text if text.startswith(f"{part.label} (") else f"{part.label}: {text}"
