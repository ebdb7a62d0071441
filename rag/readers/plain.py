"""Reader for any other plain-text transcript (.txt, .md): "Name: text" speaker turns.

A turn starts at a speaker label, either on a line of its own ("Lan Qiming:" followed by
paragraphs) or at the start of a line ("Lan Qiming: Thank you."); markdown emphasis around the
label ("**Lan Qiming:**") is allowed. Lines before the first turn are the header: the title is
a "Title:" line, else the first "# heading", else the first line, else the file stem; the date
is a "Date:" line, else the first full date in the header or the first lines; "URL:"/"Source:"
gives the location; "Speakers:"/"Participants:"/"Officials:" ("Mr. Lan Qiming, minister of ...;
...") names the officials and "Journalists:"/"Reporters:" ("Mira Solberg, Lakeside Courier; ...")
the journalists.

Roles, first rule that applies: "Moderator", "Chair", "Host" chair; a mark in the label
("Mira Solberg (reporter):", "Mira Solberg (Lakeside Courier):", "Ada Lind (official):"); the
header's lists; "Q", "Question", "Reporter", "Journalist" or a media outlet ("Xinhua News
Agency:") ask as journalists; then a person whose turns are mostly questions is a journalist
(a reporter is rarely announced, and an official rarely asks), everyone else an official.

This is the fallback reader, so `sniff` is conservative: a .txt/.md file needs at least two
speaker-labelled lines, and labels such as "Note:", "Step 1:" or times ("10:30") never count.
`split_label`, `parse_people` and `is_date_line` serve the other readers of the same conventions.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rag.readers.base import Page, ReadError
from rag.readers.speakers import SpeakerNames, display_case, outlet_of, sequence_turns, strip_titles
from rag.records import CHAIR, GENERIC, JOURNALIST, OFFICIAL, Briefing, Participant, Turn
from rag.text.normalize import clean_space, content_hash
from rag.text.procedural import is_procedural
from rag.text.dates import parse_date

SUFFIXES = {".txt", ".md", ".markdown"}

# "Label: rest" / "**Label:** rest" / "Label:"; the label itself is checked by `_is_label`.
_LABEL_LINE = re.compile(r"^\s*[*_]{0,2}(?P<label>[^:：*_\n]{1,60}?)[*_]{0,2}\s*[:：][*_]{0,2}"
                         r"(?:\s+(?P<rest>\S.*?))?\s*$")
_BAD_LABEL_CHARS = re.compile(r"[,;?!\"“”<>=|\[\]{}#@$%^~`]")
# Lower-case words allowed inside a label ("Ministry of Commerce", "Reporter from Yicai").
_CONNECTORS = {"of", "and", "the", "for", "from", "with", "at", "on", "de", "da", "du", "van",
               "von", "der", "al", "bin", "la", "le", "y", "&"}
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$")
# A role mark after a name: "Mira Solberg (reporter)", "Ada Lind (official)".
_MARKED = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<mark>[^()]{1,40})\)$")
# Labels that head metadata, lists or prose rather than a speaker's words.
_NOT_SPEAKERS = {
    "note", "notes", "nb", "ps", "warning", "error", "caution", "important", "attention", "tip",
    "hint", "todo", "example", "examples", "status", "result", "results", "summary",
    "description", "abstract", "background", "keywords", "tags", "category", "topic", "topics",
    "subject", "title", "date", "time", "location", "venue", "place", "url", "link", "source",
    "sources", "author", "authors", "editor", "translator", "translation", "transcript",
    "copyright", "disclaimer", "contact", "email", "e-mail", "phone", "tel", "fax", "address",
    "website", "speakers", "participants", "officials", "journalists", "reporters", "attendees",
    "present", "agenda", "minutes",
    "action", "decision", "update", "updated", "posted", "published", "photo", "image",
    "caption", "credit", "file", "page", "chapter", "section", "part", "figure", "table", "see",
    "step", "version", "first", "second", "third", "fourth", "fifth", "finally", "lastly",
    "next", "previous", "to", "from", "cc", "bcc", "re", "fw", "fwd", "sent", "total", "name",
    "id", "type", "format", "size", "language", "http", "https", "www",
}
_SINGLE_LETTER_LABELS = {"Q", "A"}


def _is_label(label: str) -> bool:
    """Whether `label` reads as a speaker: short, capitalised words, no sentence punctuation,
    maybe a role mark in brackets after them."""
    marked = _MARKED.match(label)
    label = marked.group("name") if marked else label
    words = label.split()
    if not words or len(words) > 8 or _BAD_LABEL_CHARS.search(label):
        return False
    if words[0].lower().rstrip(".") in _NOT_SPEAKERS or label.lower() in _NOT_SPEAKERS:
        return False
    if len(label.rstrip(".")) == 1:
        return label.rstrip(".") in _SINGLE_LETTER_LABELS
    if not words[0][0].isupper() and not _ORDINAL.match(words[0]):
        return False
    return all(w[0].isupper() or w.lower() in _CONNECTORS or _ORDINAL.match(w)
               for w in words if w[0].isalnum() or w == "&")


def split_label(line: str) -> tuple[str, str] | None:
    """(label, rest of the line) when `line` starts with a speaker label, else None.
    `rest` is '' for a label on a line of its own."""
    m = _LABEL_LINE.match(line)
    if not m:
        return None
    label = " ".join(m.group("label").split())
    if not _is_label(label):
        return None
    return label, (m.group("rest") or "").strip()


# Header lines ("Title: ...") and the people list ("Mr. Lan Qiming, minister of ...").
_HEADER = re.compile(r"^\s*[*_]{0,2}(?P<key>title|date|url|source_url|source|speakers|participants|"
                     r"officials|journalists|reporters)"
                     r"[*_]{0,2}\s*[:：][*_]{0,2}\s*(?P<value>.*?)\s*$", re.I)
_HEADING = re.compile(r"^\s*#{1,6}\s+(?P<text>.+?)\s*#*\s*$")
_FRONT_MATTER_RULE = re.compile(r"^\s*(?:---|\+\+\+)\s*$")
_URL = re.compile(r"^https?://\S+$")
_CHAIR_LABELS = {"moderator", "chair", "chairperson", "chairman", "chairwoman", "host", "mc",
                 "emcee", "presenter", "facilitator"}
# Only the first lines are searched for an undeclared date, so a date quoted later in the
# transcript is not taken for the briefing's.
_DATE_SEARCH_LINES = 12


def parse_people(listing: str) -> list[Participant]:
    """'Mr. Lan Qiming, minister of X; Ms. Du Yan, spokesperson' -> Participants with posts."""
    people = []
    for entry in re.split(r"[;\n]", listing):
        name, _, post = entry.strip().rstrip(".,").partition(",")
        name = display_case(strip_titles(name.strip()))
        if name:
            people.append(Participant(name=name, post=clean_space(post).removeprefix("and ")))
    return people


def is_date_line(line: str) -> bool:
    """A short line that is a date ("March 3, 2025", "Updated: 2025-03-06 10:21"), not a title
    or a sentence."""
    line = line.strip()
    return (len(line) <= 80 and parse_date(line) is not None
            and not line.endswith((".", "?", "!", '"')))


def sniff(path: Path, text: str) -> bool:
    """A .txt/.md file with at least two speaker-labelled lines. A one-word label used once
    ("Reminder: ...", "Lunch: ...") only counts when it is a role ("Q", "Moderator")."""
    if path.suffix.lower() not in SUFFIXES:
        return False
    labels = [labelled[0] for line in text.splitlines() if (labelled := split_label(line))]
    counts = Counter(labels)
    speaker_like = [label for label in labels
                    if counts[label] > 1 or len(label.split()) > 1 or outlet_of(label) is not None
                    or label.lower().rstrip(".") in _CHAIR_LABELS | {"a"}]
    return len(speaker_like) >= 2


@dataclass
class _Header:
    title: str = ""
    date: str = ""
    url: str = ""
    people: list[Participant] = field(default_factory=list)  # the officials it names
    journalists: list[Participant] = field(default_factory=list)  # post: their outlet


_OFFICIAL_MARKS = {"official", "officials", "government", "minister", "spokesperson"}


def _mark(label: str) -> tuple[str, str | None, str]:
    """(label without its mark, role the mark gives or None, outlet)."""
    m = _MARKED.match(label)
    if not m:
        return label, None, ""
    name, mark = m.group("name"), m.group("mark").strip()
    if mark.lower() in _CHAIR_LABELS:
        return name, CHAIR, ""
    if mark.lower() in _OFFICIAL_MARKS:
        return name, OFFICIAL, ""
    outlet = outlet_of(mark)  # "(reporter)" -> '', "(Reuters)", "(Lakeside Courier reporter)"
    return (name, JOURNALIST, outlet) if outlet is not None else (name, None, "")


def _roles(labels: list[str], texts: list[str], header: _Header, names: SpeakerNames
           ) -> list[tuple[str, str, str]]:
    """(speaker, role, outlet) for each turn's label, by the rules in the module docstring."""
    officials = {names.resolve(p.name) for p in header.people}
    journalists = {names.resolve(p.name): p.post for p in header.journalists}
    found: list[tuple[str, str | None, str]] = []
    for label in labels:
        bare, role, outlet = _mark(label)
        if label.lower().rstrip(".") in _CHAIR_LABELS:
            found.append((display_case(label.rstrip(".")), CHAIR, ""))
        elif role:
            found.append((names.resolve(bare), role, outlet))
        elif (outlet := outlet_of(label)) is not None:
            found.append((outlet or "Journalist", JOURNALIST, outlet))
        else:
            speaker = names.resolve(label)
            if speaker in officials:
                found.append((speaker, OFFICIAL, ""))
            elif speaker in journalists:
                found.append((speaker, JOURNALIST, journalists[speaker]))
            else:
                found.append((speaker, None, ""))
    # Greetings and interjections ("Nooo —", "I know.") say nothing of who someone is.
    asked: Counter[str] = Counter()
    spoke: Counter[str] = Counter()
    for (speaker, role, _), text in zip(found, texts):
        if role is None and not is_procedural(text) and ("?" in text or len(text.split()) >= 4):
            spoke[speaker] += 1
            asked[speaker] += "?" in text
    askers = {s for s in spoke if asked[s] * 2 >= spoke[s]}
    if not any(role == OFFICIAL or (role is None and speaker not in askers)
               for speaker, role, _ in found):
        askers = set()  # someone answers in a briefing: all asking means the rule misread it
    return [(speaker, role or (JOURNALIST if speaker in askers else OFFICIAL), outlet)
            for speaker, role, outlet in found]


def read_page(page: Page) -> Briefing:
    """One transcript file -> one Briefing (its date '' when none is written)."""
    header = _Header()
    lines = page.text.splitlines()
    blocks: list[tuple[str, list[list[str]]]] = []  # (label, paragraphs as lists of lines)
    preamble: list[str] = []
    title_line = _title_line(lines)
    for at, line in enumerate(lines):
        if _FRONT_MATTER_RULE.match(line) or (blocks and _HEADING.match(line)):
            continue  # rules and section headings are layout, not anyone's words
        labelled = split_label(line) if at != title_line else None
        if labelled:
            label, rest = labelled
            blocks.append((label, [[rest]] if rest else []))
        elif not blocks:
            preamble.append(line)
        elif not line.strip():
            blocks[-1][1].append([])
        else:
            paragraphs = blocks[-1][1]
            if not paragraphs:
                paragraphs.append([])
            paragraphs[-1].append(line)
    _read_header(preamble, lines, header)

    names = SpeakerNames(p.name for p in header.people + header.journalists)
    for label, _ in blocks:
        bare = _mark(label)[0]
        if outlet_of(bare) is None and len(strip_titles(bare).split()) >= 2:
            names.add(display_case(strip_titles(bare)))
    said = [(label, text) for label, paragraphs in blocks
            if (text := "\n".join(clean_space(" ".join(p)) for p in paragraphs
                                  if " ".join(p).strip()))]
    roles = _roles([label for label, _ in said], [text for _, text in said], header, names)
    turns = [Turn(order=0, speaker=speaker, role=role, text=text, outlet=outlet)
             for (speaker, role, outlet), (_, text) in zip(roles, said)]
    sequence_turns(turns)
    chairs = [t.speaker for t in turns if t.role == CHAIR]
    location = header.url or str(page.path)
    return Briefing(id=f"{GENERIC}-{content_hash(header.url or page.path.stem)[:16]}",
                    title=header.title or page.path.stem, date=header.date, source=GENERIC,
                    location=location, participants=header.people,
                    chair=chairs[0] if chairs else "", turns=turns)


def _title_line(lines: list[str]) -> int:
    """The index of a first line written "Organisation: Title" (its label used nowhere else,
    the header's "Date:" or "Speakers:" lines right under it), else -1."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if len(filled) < 2 or not (first := split_label(lines[filled[0]])) or not first[1]:
        return -1
    label = first[0]
    if not _HEADER.match(lines[filled[1]]) or any(
            (other := split_label(lines[i])) and other[0] == label for i in filled[1:]):
        return -1
    return filled[0]


def _read_header(preamble: list[str], lines: list[str], header: _Header) -> None:
    """Fill `header` from the lines before the first turn (and the date from the first lines)."""
    first_line = ""
    heading = ""
    for line in preamble:
        m = _HEADER.match(line)
        if m:
            key, value = m.group("key").lower(), m.group("value").strip("'\"")
            if key == "title":
                header.title = header.title or value
            elif key == "date":
                header.date = parse_date(value) or ""
                if not header.date:
                    raise ReadError(f"cannot read the date '{value}' on the Date: line")
            elif key in ("url", "source_url", "source") and _URL.match(value):
                header.url = value
            elif key in ("speakers", "participants", "officials"):
                header.people += parse_people(value)
            elif key in ("journalists", "reporters"):
                header.journalists += parse_people(value)
            continue
        m = _HEADING.match(line)
        if m and not heading:
            heading = m.group("text")
        elif line.strip() and not first_line and not is_date_line(line):
            first_line = line.strip()
    header.title = header.title or heading or (first_line if len(first_line) <= 200 else "")
    if not header.date:
        header.date = parse_date("\n".join(preamble)) or parse_date(
            "\n".join(lines[:_DATE_SEARCH_LINES])) or ""


def read(pages: list[Page]) -> list[Briefing]:
    """Each file is one briefing."""
    return [read_page(page) for page in pages]
