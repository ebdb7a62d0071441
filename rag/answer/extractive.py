"""The extractive answer: the most relevant sentence of each source, quoted and cited.

What the user gets without a model (`--no-llm`, or none installed), and how a comparison side
quotes the statements its model reply left uncited.
"""
from __future__ import annotations

import re
from typing import Sequence

from rag.answer.records import Source
from rag.search.rerank import Relevance
from rag.text.sentences import sentence_spans


def quote_line(source: Source, a: int, b: int) -> str:
    """`source.text[a:b]` as a dated, cited quote: 'Name (date): "..." [n]'."""
    words = " ".join(source.text[a:b].split())
    quoted = words if re.search(r"[\"\u201c\u201d]", words) else f"\u201c{words}\u201d"
    return f"{source.passage.speaker} ({source.passage.date}): {quoted} [{source.marker}]"


def extractive_text(question: str, sources: Sequence[Source], limit: int) -> str:
    """The most relevant sentence of each of the first `limit` sources, cited; with the next
    one when either is short, as "I remember one day over 400." completes the sentence before
    it."""
    relevance = Relevance(question, [s.text for s in sources])
    lines = []
    for source in sources[:limit]:
        spans = sentence_spans(source.text)
        scored = [(relevance.score(source.text[a:b]), -i) for i, (a, b) in enumerate(spans)]
        if not spans or max(scored)[0] <= 0:
            continue
        i = -max(scored)[1]
        a, b = spans[i]
        if i + 1 < len(spans) and min(len(source.text[a:b].split()),
                                      len(source.text[slice(*spans[i + 1])].split())) < 10:
            b = spans[i + 1][1]
        lines.append(quote_line(source, a, b))
    return "\n".join(lines)


def first_sentence_line(source: Source) -> str:
    """The source's first sentence as a dated, cited line (unquoted: nothing was chosen)."""
    spans = sentence_spans(source.text)
    a, b = spans[0] if spans else (0, len(source.text))
    p = source.passage
    return f"{p.speaker} ({p.date}): {' '.join(source.text[a:b].split())} [{source.marker}]"
