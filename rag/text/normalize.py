"""The normal form every "is this quote in that passage" test uses, whitespace, hashing, shingles."""
from __future__ import annotations

import hashlib
import re
import unicodedata

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
                         "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
                         "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " "})
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """The evaluation's normal form: NFKC, straight quotes, '-' dashes, no backslashes,
    single spaces, lower case. Every "is this quote in that passage" test uses it."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).replace("\\", "")
    return _SPACE.sub(" ", text).strip().lower()


def clean_space(text: str) -> str:
    """Collapse whitespace runs (including no-break spaces) to single spaces; keep the words."""
    return _SPACE.sub(" ", text.replace("\u00a0", " ")).strip()


def content_hash(data: bytes | str) -> str:
    """Stable hash used for incremental ingest and duplicate detection."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def shingles(text: str, size: int = 4) -> set[tuple[str, ...]]:
    """The set of `size`-word sequences of the normalised text."""
    words = re.findall(r"\w+", normalize(text))
    if len(words) < size:
        return {tuple(words)}
    return {tuple(words[i:i + size]) for i in range(len(words) - size + 1)}


def overlap(a: set, b: set) -> float:
    """Share of the smaller shingle set found in the other (1.0 = one text inside the other)."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0
