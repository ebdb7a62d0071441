"""Evidence selection: which retrieved passages the model reads, cut to their relevant words.

The best passages, in rank order, each trimmed to its most relevant sentences (`max_words`),
while they fit the prompt's token budget: on CPU every passage in the prompt costs seconds.
How close a passage is to the question (`similarities`) decides refusals on weak evidence.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from rag.answer.prompt import format_source
from rag.answer.records import Source
from rag.config import AnswerSettings
from rag.models.embedder import Embedder, embed_input
from rag.records import Passage
from rag.search.rerank import Relevance, excerpt_bounds


class Selector:
    """Chooses the sources of a prompt under the answer settings' limits, counting tokens with
    `count_tokens` (the model's tokenizer once it is loaded)."""

    def __init__(self, options: AnswerSettings, count_tokens: Callable[[str], int]) -> None:
        self.options = options
        self.count_tokens = count_tokens

    def select(self, question: str, passages: Sequence[Passage], limit: int | None = None,
               max_words: int | None = None, first_marker: int = 1) -> list[Source]:
        """The best passages, in rank order, trimmed to `max_words`, while they fit the prompt
        token budget; numbered from `first_marker`."""
        limit = limit or self.options.max_passages
        max_words = max_words or self.options.passage_max_words
        relevance = Relevance(question, [p.text for p in passages])
        chosen: list[Source] = []
        used = 0
        for passage in passages[:limit]:
            a, b = excerpt_bounds(passage.text, relevance, max_words)
            source = Source(first_marker + len(chosen), passage, passage.text[a:b], a)
            cost = self.count_tokens(format_source(source, self.options.question_words))
            if chosen and used + cost > self.options.prompt_budget_tokens:
                break
            chosen.append(source)
            used += cost
        return chosen


def similarities(embedder: Embedder, question: str, sources: Sequence[Source],
                 with_question: bool) -> np.ndarray:
    """Cosine similarity between the question and each source, embedded as the index embeds
    passages (excerpt, then the journalist question it answers)."""
    if not sources:
        return np.zeros(0, dtype=np.float32)
    texts = [question] + [embed_input(s.text, s.passage.question, with_question) for s in sources]
    vectors = embedder.encode(texts)
    return vectors[1:] @ vectors[0]
