"""Text helpers shared by every stage: normalisation, sentence splitting, dates, hashing."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date

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


MONTHS = {name: i + 1 for i, name in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december"])}
MONTHS.update({name[:3]: num for name, num in list(MONTHS.items())})
MONTHS["sept"] = 9

_MONTH_RE = r"(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
# "June 7, 2018", "June12, 2018", "June 7 2018", "7 June 2018"
_MDY = re.compile(_MONTH_RE + r"\s*(\d{1,2})(?:st|nd|rd|th)?,?\s*(\d{4})", re.I)
_DMY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH_RE + r",?\s+(\d{4})", re.I)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?!\d)")
_MD = re.compile(_MONTH_RE + r"\s*(\d{1,2})\b(?!,?\s*\d{4})", re.I)


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def date_mentions(text: str) -> list[tuple[int, int, str]]:
    """(start, end, ISO date) of every full date written in `text` (several spellings)."""
    found: list[tuple[int, int, str]] = []
    for pattern, ymd in ((_MDY, (3, 1, 2)), (_DMY, (3, 2, 1)), (_ISO, (1, 2, 3))):
        for m in pattern.finditer(text):
            y, mo, d = (m.group(i) for i in ymd)
            month = int(mo) if mo.isdigit() else MONTHS[mo.lower().rstrip(".")]
            iso = _iso(int(y), month, int(d))
            if iso:
                found.append((m.start(), m.end(), iso))
    return sorted(found)


def find_dates(text: str) -> list[str]:
    """Every full date written in `text`, as ISO strings, in order."""
    return [iso for _, _, iso in date_mentions(text)]


def parse_date(text: str) -> str | None:
    """The first full date written in `text`, as ISO, or None."""
    dates = find_dates(text)
    return dates[0] if dates else None


def month_day(text: str) -> tuple[int, int] | None:
    """A yearless "July 5" / "Sept. 10" in `text` as (month, day), or None."""
    m = _MD.search(text)
    if not m:
        return None
    return MONTHS[m.group(1).lower().rstrip(".")], int(m.group(2))


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


_PROCEDURAL = re.compile(
    r"^(?:(?:ok(?:ay)?|all right|alright|yes|no|sure|right|great|good|well|so|and|"
    r"thank you(?: (?:very much|all|so much|everyone|everybody))?|thanks(?: (?:everyone|everybody|all))?|"
    r"good (?:morning|afternoon|evening)(?:,? everyone|,? everybody)?|hi(?:,? everyone|,? everybody)?|hello|"
    r"next question|next|go ahead(?:,? [A-Z][\w.-]*(?: [A-Z][\w.-]*)?)?|please|the (?:next|last) question|last question|"
    r"(?:any|are there any) (?:other|more) questions|one more|welcome|yeah|yep|mm-hmm|uh-huh|"
    r"how are you(?: doing)?(?: today)?|(?:nice|good|great) to (?:see|be with) you(?: all)?)"
    r"[\s,.!?;:-]*)+$",
    re.I,
)


def is_procedural(text: str) -> bool:
    """Greetings, thanks and floor management: stored, never retrieved, never the question
    an answer follows."""
    return len(text.split()) <= 12 and bool(_PROCEDURAL.match(text.strip()))
