"""Sentence splitting that keeps exact offsets, so every excerpt stays a verbatim slice."""
from __future__ import annotations

import re

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) before a space and
# an uppercase letter, digit or opening quote; common abbreviations do not end sentences.
_ABBREV = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|St|No|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|"
                     r"U\.S|U\.N|U\.K|e\.g|i\.e|vs|etc|Gen|Sen|Rep|Gov|Lt|Col|Adm|Prof|Inc|Co|"
                     r"[A-Z])\.$")
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of `text`; line breaks always end a sentence.
    Slicing `text` with them gives the exact source characters, so passages stay verbatim."""
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        base, body = line.start(), line.group(0)
        start = 0
        for m in _BOUNDARY.finditer(body):
            if _ABBREV.search(body[start:m.start()].rstrip("\"'\u201d\u2019)]")):
                continue
            _add_span(spans, body, base, start, m.start() + len(m.group(0).rstrip()))
            start = m.end()
        _add_span(spans, body, base, start, len(body))
    return spans


def _add_span(spans: list[tuple[int, int]], body: str, base: int, start: int, end: int) -> None:
    piece = body[start:end]
    if piece.strip():
        lead = len(piece) - len(piece.lstrip())
        spans.append((base + start + lead, base + start + len(piece.rstrip())))


def sentences(text: str) -> list[str]:
    """The sentences of `text`, each an exact slice of it."""
    return [text[a:b] for a, b in sentence_spans(text)]
