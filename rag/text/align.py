"""A quote aligned word by word with a source text: the one implementation of "is this quote in
this text, and if not, what are the exact words" (quote checks and an answer's quotations).

Words are compared in the evaluation's normal form (NFKC, lower case; rag.text.normalize) with
punctuation ignored. In a quote, "..." or "…" is a gap (its parts occur in that order, anything
between), [bracketed] words are an editor's and stand for at most `bracket_words` words of the
source (or none), and a bracket inside a word ("[w]e") only changes its letters.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Sequence

from rapidfuzz.distance import Levenshtein

# A number is one word, its thousands separators dropped ("4,000" = "4000", "3.2" stays);
# any other run of letters and digits is a word.
_WORD = re.compile(r"\d+(?:[.,]\d+)*|\w+")
_PLAIN = re.compile(r"\w+")
_LETTER_BRACKET = re.compile(r"(?<=\w)\[(\w{1,3})\]|\[(\w{1,3})\](?=\w)")
_SEPARATOR = re.compile(r"\.\s*\.\s*\.|\u2026|(\[[^\]]*\])")  # an ellipsis, or (1) a bracket
NEGATIONS = frozenset({"not", "no", "never", "none", "nor", "neither", "nothing", "nobody",
                       "t", "cannot", "without"})  # "t": the tail of "don't", "won't"

Span = tuple[int, int]


def _normal(token: str) -> list[str]:
    # ASCII needs only lower case; anything else goes through NFKC, which may split it ("½")
    if token[0].isdigit() and token.isascii():
        return [token.replace(",", "")]
    if token.isascii():
        return [token.lower()]
    return [w.replace(",", "") for w in _WORD.findall(unicodedata.normalize("NFKC", token).lower())]


@dataclass(frozen=True)
class Words:
    """A text's words in normal form, each with its character offsets in the text."""

    text: str
    words: tuple[str, ...]
    spans: tuple[Span, ...]

    def span(self, first: int, last: int) -> Span:
        """Character offsets of words first..last-1."""
        return self.spans[first][0], self.spans[last - 1][1]


def words(text: str) -> Words:
    found: list[str] = []
    spans: list[Span] = []
    for m in _WORD.finditer(text):
        for w in _normal(m.group(0)):
            found.append(w)
            spans.append(m.span())
    return Words(text, tuple(found), tuple(spans))


@dataclass(frozen=True)
class Pattern:
    """A quote as runs of words that must occur in order: `gaps[i]` is the most words allowed
    between part i and part i+1 (None: any number, an ellipsis)."""

    quote: str
    parts: tuple[tuple[str, ...], ...]
    gaps: tuple[int | None, ...]
    terms: tuple[tuple[str, ...], ...] = ()   # each part's plain words, as a keyword index has them
    spans: tuple[tuple[Span, ...], ...] = ()  # each part's words' offsets in `quote`

    @property
    def size(self) -> int:
        return sum(len(p) for p in self.parts)

    def flat(self) -> tuple[str, ...]:
        return tuple(w for p in self.parts for w in p)


def pattern(quote: str, bracket_words: int = 5) -> Pattern:
    """`quote` split at its ellipses and editorial brackets into the parts that must occur."""
    text = _LETTER_BRACKET.sub(lambda m: m.group(1) or m.group(2), quote)
    parts: list[tuple[str, ...]] = []
    terms: list[tuple[str, ...]] = []
    spans: list[tuple[Span, ...]] = []
    gaps: list[int | None] = []
    gap: int | None = 0
    at = 0
    for m in [*_SEPARATOR.finditer(text), None]:
        piece = text[at:m.start() if m else len(text)]
        found = words(piece)
        if found.words:
            if parts:
                gaps.append(gap)
            parts.append(found.words)
            terms.append(tuple(_PLAIN.findall(piece.lower())))
            spans.append(tuple((at + a, at + b) for a, b in found.spans))
            gap = 0
        if m:
            # between two parts: an ellipsis allows any words, a bracket a few more
            gap = None if m.group(1) is None or gap is None else gap + bracket_words
            at = m.end()
    return Pattern(text, tuple(parts), tuple(gaps), tuple(terms), tuple(spans))


def _starts(part: Sequence[str], text: Words, after: int, before: int) -> list[int]:
    """Every position in [after, before] where `part` begins in `text`."""
    n = len(part)
    last = min(before, len(text.words) - n)
    return [i for i in range(after, last + 1)
            if text.words[i] == part[0] and text.words[i:i + n] == tuple(part)]


def find(p: Pattern, text: Words) -> Span | None:
    """Character offsets in `text` from the first to the last word of the first verbatim
    occurrence of `p` (its parts in order within their gaps), or None."""
    if not p.parts:
        return None

    def place(k: int, after: int, before: int) -> tuple[int, int] | None:
        for i in _starts(p.parts[k], text, after, before):
            end = i + len(p.parts[k])
            if k == len(p.parts) - 1:
                return i, end
            gap = p.gaps[k]
            rest = place(k + 1, end, len(text.words) if gap is None else end + gap)
            if rest:
                return i, rest[1]
        return None

    found = place(0, 0, len(text.words))
    return text.span(*found) if found else None


@dataclass
class Difference:
    """Words the quote has where the transcript has others: `kind` says what the quote did to
    the transcript's words (inserted words it lacks, deleted words it has, replaced them)."""

    kind: str              # "inserted" | "deleted" | "replaced"
    quote: str             # the quote's exact words
    transcript: str        # the transcript's exact words
    at: Span               # the transcript words' offsets (an insertion: where it goes)
    number: bool = False   # a number changed
    negation: bool = False  # a negation added or removed

    def as_dict(self) -> dict:
        return {"kind": self.kind, "quote": self.quote, "transcript": self.transcript,
                "at": list(self.at), "number": self.number, "negation": self.negation}


@dataclass
class Alignment:
    """The transcript words closest to a quote: their offsets, how alike (0..1: the share of
    words the two have in common, in order), and the differences word by word."""

    similarity: float
    start: int
    end: int
    verbatim: bool = False
    differences: list[Difference] = field(default_factory=list)


def _differences(p: Pattern, k: int, text: Words, first: int, last: int) -> list[Difference]:
    """Part k of `p` against text words first..last-1, word by word; adjacent edits are one
    difference ("port authority" -> "government" is one replacement, not two)."""
    quote, spans = p.parts[k], p.spans[k]
    window = text.words[first:last]
    runs: list[list[int]] = []   # [quote start, quote end, window start, window end]
    for op in Levenshtein.opcodes(list(quote), list(window)):
        if op.tag == "equal":
            continue
        if runs and runs[-1][1] == op.src_start and runs[-1][3] == op.dest_start:
            runs[-1][1], runs[-1][3] = op.src_end, op.dest_end
        else:
            runs.append([op.src_start, op.src_end, op.dest_start, op.dest_end])
    found = []
    for qa, qb, wa, wb in runs:
        said, wrote = window[wa:wb], quote[qa:qb]
        if said:
            at = text.span(first + wa, first + wb)
            exact = text.text[at[0]:at[1]]
        else:  # the quote inserts words: they would go before the next transcript word
            pos = text.spans[first + wa][0] if first + wa < len(text.spans) \
                else text.spans[last - 1][1]
            at, exact = (pos, pos), ""
        kind = "replaced" if said and wrote else "deleted" if said else "inserted"
        changed = set(said) ^ set(wrote)
        written = p.quote[spans[qa][0]:spans[qb - 1][1]] if wrote else ""
        found.append(Difference(kind, written, exact, at,
                                number=any(any(c.isdigit() for c in w) for w in changed),
                                negation=bool(changed & NEGATIONS)))
    return found


def _window(quote: tuple[str, ...], text: Words, after: int, before: int
            ) -> tuple[float, int, int]:
    """(similarity, first, last): the run of text words in [after, before) closest to
    `quote`. Candidate runs lie on the diagonals most of the quote's words fall on (each word
    voting where it occurs in the text), from the first to the last word matched and then
    over as many words before and after as the quote has unmatched there (a changed first
    word is a replacement, not an insertion). Similarity: 1 - word edits / the longer run."""
    m = len(quote)
    where: dict[str, list[int]] = {}
    for i in range(after, before):
        where.setdefault(text.words[i], []).append(i)
    votes: dict[int, float] = {}
    for j, w in enumerate(quote):
        hits = where.get(w, ())
        for i in hits:  # a word that occurs everywhere votes little more than once
            votes[i - j] = votes.get(i - j, 0.0) + 1.0 + 1.0 / len(hits)
    best = (0.0, after, after)
    slack = max(3, m // 4)
    for d, _ in sorted(votes.items(), key=lambda kv: -kv[1])[:4]:
        lo, hi = max(after, d - slack), min(before, d + m + slack)
        blocks = [b for b in Levenshtein.opcodes(list(quote), list(text.words[lo:hi]))
                  if b.tag == "equal"]
        if not blocks:
            continue
        first = max(lo, lo + blocks[0].dest_start - blocks[0].src_start)
        last = min(hi, lo + blocks[-1].dest_end + (m - blocks[-1].src_end))
        score = Levenshtein.normalized_similarity(list(quote), list(text.words[first:last]))
        if score > best[0]:
            best = (score, first, last)
    return best


def align(p: Pattern, text: Words) -> Alignment:
    """`p` against `text`: verbatim when found as it stands, else its closest words (each part
    in order, after the one before) with the differences."""
    exact = find(p, text)
    if exact:
        return Alignment(1.0, exact[0], exact[1], verbatim=True)
    if not p.parts or not text.words:
        return Alignment(0.0, 0, 0)
    matched = 0.0
    after = 0
    first_word = last_word = None
    differences: list[Difference] = []
    for k, part in enumerate(p.parts):
        score, first, last = _window(part, text, after, len(text.words))
        if last <= first:
            continue
        matched += score * len(part)
        differences += _differences(p, k, text, first, last)
        first_word = first if first_word is None else first_word
        last_word, after = last, last
    if first_word is None:
        return Alignment(0.0, 0, 0)
    start, end = text.span(first_word, last_word)
    return Alignment(matched / p.size, start, end, differences=differences)
