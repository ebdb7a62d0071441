"""Chunking: an official's answer turn -> passages on sentence boundaries.

Passages never cross a turn, and each is an exact slice of the turn's text, so a quote found in
a passage is a quote of the speaker. Consecutive passages share `overlap` sentences so that a
statement spanning a boundary is whole in one of them. Procedural turns ("Next question",
"Thank you") are kept in the store but produce no passages.
"""
from __future__ import annotations

from dataclasses import dataclass

from rag.records import OFFICIAL, Briefing, Turn
from rag.text.procedural import is_procedural
from rag.text.sentences import sentence_spans

# Bump when the passages a turn yields change: the next ingest re-chunks every file.
CHUNKING_VERSION = 3


@dataclass
class Chunk:
    """One passage of a turn: [start, end) offsets into the turn text."""

    turn: Turn
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.turn.text[self.start:self.end]


def chunk_turn(turn: Turn, max_words: int, overlap: int, min_words: int) -> list[Chunk]:
    """Split one turn's text into passages of whole sentences, at most `max_words` words each
    (a single longer sentence stays whole)."""
    spans = sentence_spans(turn.text)
    if not spans:
        return []
    words = [len(turn.text[a:b].split()) for a, b in spans]
    groups: list[tuple[int, int]] = []  # sentence index ranges [i, j)
    i = 0
    while i < len(spans):
        j, total = i, 0
        while j < len(spans) and (j == i or total + words[j] <= max_words):
            total += words[j]
            j += 1
        groups.append((i, j))
        if j >= len(spans):
            break
        i = max(j - overlap, i + 1)
    # A short tail adds little context on its own: fold it into the previous passage.
    if len(groups) > 1 and sum(words[groups[-1][0]:groups[-1][1]]) < min_words:
        last = groups.pop()
        groups[-1] = (groups[-1][0], last[1])
    return [Chunk(turn, spans[a][0], spans[b - 1][1]) for a, b in groups]


def chunk_briefing(briefing: Briefing, max_words: int, overlap: int, min_words: int) -> list[Chunk]:
    """Passages for every non-procedural official turn of a briefing, in order."""
    chunks: list[Chunk] = []
    for turn in briefing.turns:
        if turn.role == OFFICIAL and not is_procedural(turn.text):
            chunks.extend(chunk_turn(turn, max_words, overlap, min_words))
    return chunks
