"""An answer's sentences, parsed once: every check step reads and rewrites this list.

Markers written after the final full stop ("... 50. [1] Next") stay with their sentence, and a
quotation of several sentences is one sentence of the answer. Between sentences there is only
whitespace, kept so that an answer's lines (a comparison's sides) stay lines.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.citations.markers import MARKER
from rag.citations.quotes import WORD, quotations
from rag.text.sentences import sentence_spans

_AFTER_MARKERS = re.compile(
    r"[.!?][\"'\u201d\u2019)]*(?:\s*" + MARKER.pattern + r")+(?=\s+[\"\u201c(]?[A-Z0-9])", re.I)


def answer_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence offsets of an answer; markers after the final full stop stay with their sentence."""
    spans: list[tuple[int, int]] = []
    for start, end in sentence_spans(text):
        cut = start
        for m in _AFTER_MARKERS.finditer(text, start, end):
            spans.append((cut, m.end()))
            cut = m.end() + len(text[m.end():end]) - len(text[m.end():end].lstrip())
        spans.append((cut, end))
    merged: list[tuple[int, int]] = []
    quotes = quotations(text)
    for a, b in spans:
        if merged and any(qa < a < qb for qa, qb, _, _ in quotes):
            merged[-1] = (merged[-1][0], b)
        elif text[a:b].strip():
            merged.append((a, b))
    return merged


@dataclass
class Draft:
    """Sentences of an answer with the whitespace before each (and after the last)."""

    sentences: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    tail: str = ""

    @classmethod
    def parse(cls, text: str) -> "Draft":
        draft, end = cls(), 0
        for a, b in answer_sentences(text):
            draft.gaps.append(text[end:a])
            draft.sentences.append(text[a:b])
            end = b
        draft.tail = text[end:]
        return draft

    @property
    def text(self) -> str:
        return "".join(g + s for g, s in zip(self.gaps, self.sentences)).strip()

    def drop(self, i: int) -> str:
        """Remove sentence `i` (returned, its spaces collapsed); a line break around it stays."""
        sentence = self.sentences.pop(i)
        gap = self.gaps.pop(i)
        if i < len(self.gaps):
            joined = gap + self.gaps[i]
            self.gaps[i] = "\n" * max(gap.count("\n"), self.gaps[i].count("\n")) or (
                " " if joined else "")
        return " ".join(sentence.split())

    def uncited(self) -> list[str]:
        """Sentences of three words or more that cite nothing."""
        return [s for s in self.sentences if not MARKER.search(s) and len(WORD.findall(s)) >= 3]
