"""Quotations in an answer: found, located verbatim in a passage, or repaired to its words.

A quotation is checked against the passages its sentence cites, then the others, word by word
as a quote check compares (rag.text.align): found, it is highlighted there, cited if it was
not, and given the passage's exact characters; close to a passage span (`min_ratio`) it is
replaced by the exact words; else it loses its quotation marks. Nothing in quotation marks survives that a passage does not say.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rag.citations.markers import fix_markers, markers
from rag.text.align import align, find, pattern, words
from rag.text.normalize import normalize

# Double quotes straight or curly (pairs in order), and single curly quotes; straight single
# quotes only around 3+ characters not touching a letter outside (not apostrophes).
_QUOTE = re.compile(r"[\"\u201c\u201e]([^\"\u201c\u201d\u201e\n]+)[\"\u201d]"
                    r"|\u2018([^\u2018\u2019\n]+)\u2019(?!\w)"
                    r"|(?<!\w)'([^'\n]{3,}?)'(?!\w)")
WORD = re.compile(r"\w+(?:[.,'\u2019-]\w+)*")

Span = tuple[int, int]


@dataclass
class RepairedQuote:
    """One quotation that was not verbatim in its cited passages, and what was done about it."""

    quote: str
    action: str               # "cited" (found in another passage), "repaired" or "unquoted"
    replacement: str = ""     # the exact source words, when repaired
    marker: int | None = None  # the passage now cited for it

    def as_dict(self) -> dict:
        return {"quote": self.quote, "action": self.action, "replacement": self.replacement,
                "marker": self.marker}


def quotations(text: str) -> list[tuple[int, int, int, int]]:
    """(outer start, outer end, inner start, inner end) of every quotation in `text`."""
    found = []
    for m in _QUOTE.finditer(text):
        group = next(g for g in (1, 2, 3) if m.group(g) is not None)
        found.append((m.start(), m.end(), m.start(group), m.end(group)))
    return found


def _bare(text: str) -> str:
    """Normalised, without the punctuation around it ("crowns." is quoted as "crowns")."""
    return re.sub(r"^\W+|\W+$", "", normalize(text))


def locate(needle: str, haystack: str) -> Span | None:
    """Offsets in `haystack` of the first occurrence of `needle`'s words (rag.text.align:
    normalised, punctuation ignored, whole words), or None."""
    return find(pattern(needle), words(haystack))


def best_span(quote: str, passage: str) -> tuple[float, int, int]:
    """(similarity 0..1, start, end): the run of passage words closest to the quoted words."""
    found = align(pattern(quote), words(passage))
    return found.similarity, found.start, found.end


def quoted_in(sentence: str, passages: list[str], cited: list[int]) -> set[int]:
    """The cited passages that hold a quotation the sentence makes."""
    return {n for n in cited for _, _, qa, qb in quotations(sentence)
            if locate(sentence[qa:qb], passages[n - 1])}


def faithful(sentence: str, passages: list[str]) -> bool:
    """Every quotation in `sentence` occurs verbatim in a passage the sentence cites."""
    cited = [n for n in markers(sentence) if 1 <= n <= len(passages)]
    return all(any(locate(sentence[qa:qb], passages[n - 1]) for n in cited)
               for _, _, qa, qb in quotations(sentence) if WORD.search(sentence[qa:qb]))


def repair_quotes(sentence: str, passages: list[str], min_ratio: float,
                  spans: dict[int, list[Span]]) -> tuple[str, list[RepairedQuote]]:
    """`sentence` with each quotation verbatim, repaired or unquoted (last first, so earlier
    offsets stay valid); where each was found goes into `spans` (passage number -> offsets)."""
    repairs: list[RepairedQuote] = []
    cited = [n for n in dict.fromkeys(markers(sentence)) if 1 <= n <= len(passages)]
    others = [n for n in range(1, len(passages) + 1) if n not in cited]
    for outer_a, outer_b, inner_a, inner_b in reversed(quotations(sentence)):
        quote = sentence[inner_a:inner_b]
        if not WORD.search(quote):
            continue
        where = next(((n, at) for n in cited + others if (at := locate(quote, passages[n - 1]))),
                     None)
        if where:
            n, at = where
            spans.setdefault(n, []).append(at)
            exact = " ".join(passages[n - 1][at[0]:at[1]].split())
            cite = "" if n in cited else f" [{n}]"
            if _bare(exact) != _bare(quote):  # the same words, other punctuation between
                repairs.append(RepairedQuote(quote, "repaired", exact, n))
                sentence = (sentence[:inner_a] + exact + sentence[inner_b:outer_b] + cite
                            + sentence[outer_b:])
            elif cite:
                repairs.append(RepairedQuote(quote, "cited", marker=n))
                sentence = sentence[:outer_b] + cite + sentence[outer_b:]
            continue
        scored = [(best_span(quote, passages[n - 1]), n) for n in cited + others]
        (ratio, a, b), n = max(scored, key=lambda item: item[0][0], default=((0.0, 0, 0), 0))
        exact = " ".join(passages[n - 1][a:b].split()) if n else ""  # one line, still verbatim
        if ratio >= min_ratio and not re.search(r"[\"\u201c\u201d]", exact):
            spans.setdefault(n, []).append((a, b))
            repairs.append(RepairedQuote(quote, "repaired", exact, n))
            cite = "" if n in cited else f" [{n}]"
            sentence = (sentence[:inner_a] + exact + sentence[inner_b:outer_b] + cite
                        + sentence[outer_b:])
        else:
            repairs.append(RepairedQuote(quote, "unquoted"))
            sentence = sentence[:outer_a] + quote + sentence[outer_b:]
    repairs.reverse()
    if repairs:  # a repair appends " [n]": back to the house style "[1][2]"
        sentence, _ = fix_markers(sentence, len(passages))
    return sentence, repairs
