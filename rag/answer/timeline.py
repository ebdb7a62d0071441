"""Timelines: each speaker's statements on a topic, in date order, from the search indexes.

A statement counts when its similarity to the topic (its excerpt embedded as the index embeds
passages) reaches answer.timeline_min_similarity; no model is involved.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from rag.answer.followup import without_names
from rag.answer.records import Source
from rag.answer.sides import speaker_sides
from rag.config import Settings
from rag.models.embedder import Embedder, embed_input
from rag.filters import Filters
from rag.records import Passage
from rag.search.rerank import Relevance, excerpt_bounds
from rag.search.retriever import Retriever


def similarities(embedder: Embedder, question: str, sources: Sequence[Source],
                 with_question: bool) -> np.ndarray:
    """Cosine similarity between the question and each source, embedded as the index embeds
    passages (excerpt, then the journalist question it answers)."""
    if not sources:
        return np.zeros(0, dtype=np.float32)
    texts = [question] + [embed_input(s.text, s.passage.question, with_question) for s in sources]
    vectors = embedder.encode(texts)
    return vectors[1:] @ vectors[0]


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


def timeline(topic: str, speakers: Sequence[str], retriever: Retriever, settings: Settings,
             filters: Filters | None = None, k: int | None = None) -> list[Statement]:
    """Each speaker's statements matching `topic`, all in date order (then by speaker)."""
    options = settings.answer
    speakers = list(dict.fromkeys(speakers))
    text = without_names(topic, speakers)
    statements: list[Statement] = []
    for side in speaker_sides(speakers, filters):
        passages = retriever.search(text, k=k or options.timeline_k,
                                    filters=side.filters).passages
        relevance = Relevance(text, [p.text for p in passages])
        sources = [Source(0, p, p.text[a:b], a) for p in passages
                   for a, b in [excerpt_bounds(p.text, relevance, options.timeline_words)]]
        scores = similarities(retriever.index.embedder(), text, sources,
                              settings.embedding.with_question)
        statements += [Statement(side.label, s.passage.date, s.text, s.passage, float(x))
                       for s, x in zip(sources, scores) if x >= options.timeline_min_similarity]
    statements.sort(key=lambda s: (s.date, speakers.index(s.speaker), s.passage.turn_order))
    return statements
