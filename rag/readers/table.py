"""Reader for tabular transcripts: JSON lines (.jsonl) or CSV (.csv), one turn per row.

Columns (JSONL keys), case-insensitive, spaces and hyphens read as underscores; aliases in
brackets:

    briefing_id  (briefing, briefing id, document_id, doc_id, transcript_id)  groups the rows
    title        (briefing_title, headline)
    date         (briefing_date)             ISO "2025-03-05" or written out "March 5, 2025"
    speaker      (name, speaker_name)        required on every row
    role         (speaker_role)              official / journalist / chair, see below
    text         (content, utterance, body)  required on every row
    url          (source_url, link)
    outlet       (media, affiliation)        a journalist's news outlet
    page                                     page number, default 1

Rows are grouped into briefings by briefing_id (else by url, else by title and date; a row
with none of these belongs to the briefing of the row before it), keeping row order; the first
non-empty title, date and url of a group are the briefing's. Roles:
"journalist", "question", "q", "reporter" -> journalist; "chair", "moderator", "host" -> chair;
anything else, or nothing, -> official. Rows are numbered by file line (the first CSV data row
is row 2), and errors name the row: a missing speaker or text, an unreadable date.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from rag.readers.base import Page, ReadError
from rag.readers.speakers import (SpeakerNames, display_case, outlet_of, sequence_turns,
                                  strip_titles)
from rag.records import CHAIR, GENERIC, JOURNALIST, OFFICIAL, Briefing, Turn
from rag.text.normalize import clean_space, content_hash
from rag.text.dates import parse_date

SUFFIXES = {".jsonl", ".csv"}

_ALIASES = {
    "briefing_id": ("briefing_id", "briefing", "document_id", "doc_id", "transcript_id"),
    "title": ("title", "briefing_title", "headline"),
    "date": ("date", "briefing_date"),
    "speaker": ("speaker", "name", "speaker_name"),
    "role": ("role", "speaker_role"),
    "text": ("text", "content", "utterance", "body"),
    "url": ("url", "source_url", "link"),
    "outlet": ("outlet", "media", "affiliation"),
    "page": ("page",),
}
_FIELD_OF = {alias: name for name, aliases in _ALIASES.items() for alias in aliases}
_REQUIRED = ("speaker", "text")
_JOURNALIST_ROLES = {"journalist", "question", "q", "reporter", "correspondent", "press", "media"}
_CHAIR_ROLES = {"chair", "chairperson", "moderator", "host"}


def sniff(path: Path, text: str) -> bool:
    """Tables are known by their suffix."""
    return path.suffix.lower() in SUFFIXES


def _field(key: str) -> str | None:
    return _FIELD_OF.get(key.strip().lower().replace(" ", "_").replace("-", "_"))


def _rows(page: Page) -> list[tuple[int, dict[str, str]]]:
    """(row number, {field: value}) for every row, fields under their canonical names."""
    raw: list[tuple[int, dict]] = []
    if page.path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(page.text))
        try:
            for record in reader:
                raw.append((reader.line_num, record))
        except csv.Error as err:
            raise ReadError(f"row {reader.line_num}: not valid CSV ({err})") from None
        fields = {_field(name) for name in reader.fieldnames or () if name}
        missing = [name for name in _REQUIRED if name not in fields]
        if missing:
            raise ReadError(f"no '{missing[0]}' column (accepted names: "
                            f"{', '.join(_ALIASES[missing[0]])})")
    else:
        for number, line in enumerate(page.text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise ReadError(f"row {number}: not valid JSON ({err.msg})") from None
            if not isinstance(record, dict):
                raise ReadError(f"row {number}: expected a JSON object, "
                                f"got {type(record).__name__}")
            raw.append((number, record))
    rows = []
    for number, record in raw:
        row: dict[str, str] = {}
        for key, value in record.items():
            name = _field(key) if isinstance(key, str) else None
            if name and value is not None and name not in row:
                row[name] = str(value).strip()
        for name in _REQUIRED:
            if not row.get(name):
                raise ReadError(f"row {number}: missing '{name}'")
        rows.append((number, row))
    return rows


def _role(value: str) -> str:
    value = value.strip().lower()
    if value in _JOURNALIST_ROLES:
        return JOURNALIST
    if value in _CHAIR_ROLES:
        return CHAIR
    return OFFICIAL


def _page_number(number: int, value: str) -> int:
    if not value:
        return 1
    if not value.isdigit():
        raise ReadError(f"row {number}: bad page '{value}' (expected a whole number)")
    return int(value)


def _briefing(page: Page, key: str, rows: list[tuple[int, dict[str, str]]]) -> Briefing:
    """The rows of one briefing, in order -> Briefing."""
    def first(name: str) -> str:
        return next((row[name] for _, row in rows if row.get(name)), "")

    iso = ""
    for number, row in rows:
        if row.get("date"):
            parsed = parse_date(row["date"])
            if not parsed:
                raise ReadError(f"row {number}: bad date '{row['date']}' "
                                "(expected e.g. 2025-03-05 or March 5, 2025)")
            iso = iso or parsed
    roles = [_role(row.get("role", "")) for _, row in rows]
    # Full names given anywhere in the briefing, so "Ms. Alvey" resolves to "Petra Alvey".
    full_names = (display_case(strip_titles(row["speaker"])) for (_, row), role in zip(rows, roles)
                  if role != JOURNALIST)
    names = SpeakerNames(name for name in full_names if len(name.split()) >= 2)
    turns = []
    for (number, row), role in zip(rows, roles):
        speaker, outlet = names.resolve(row["speaker"]), ""
        if role == JOURNALIST:
            outlet = row.get("outlet") or outlet_of(row["speaker"]) or ""
            speaker = "Journalist" if outlet_of(row["speaker"]) == "" else row["speaker"]
        turns.append(Turn(order=0, speaker=speaker, role=role, outlet=outlet,
                          text="\n".join(clean_space(p) for p in row["text"].splitlines()
                                         if p.strip()),
                          page=_page_number(number, row.get("page", ""))))
    sequence_turns(turns)
    chairs = [t.speaker for t in turns if t.role == CHAIR]
    url = first("url")
    identity = f"{page.path.stem}/{key}"
    return Briefing(id=f"{GENERIC}-{content_hash(identity)[:16]}",
                    title=first("title") or page.path.stem, date=iso, source=GENERIC,
                    location=url or str(page.path), chair=chairs[0] if chairs else "",
                    turns=turns)


def read(pages: list[Page]) -> list[Briefing]:
    """Every table row is a turn; rows sharing a briefing key make one briefing."""
    briefings = []
    for page in pages:
        groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
        previous = ""
        for number, row in _rows(page):
            key = row.get("briefing_id") or row.get("url")
            if not key and (row.get("title") or row.get("date")):
                key = f"{row.get('title', '')}|{row.get('date', '')}"
            key = key or previous  # a row that names no briefing belongs to the one before it
            groups.setdefault(key, []).append((number, row))
            previous = key
        briefings.extend(_briefing(page, key, rows) for key, rows in groups.items())
    return briefings
