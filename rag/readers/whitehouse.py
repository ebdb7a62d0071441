"""Reader for White House press briefings saved as Markdown with front matter.

A file (press-briefings/YYYY-MM/<date>-<slug>.md) opens with YAML front matter (date, title,
source_url; strings may carry YAML escapes such as "White\\_House" and folded lines), then the
transcript: paragraphs separated by blank lines, wrapped over several lines, each turn opening
with an uppercase label and a colon ("MS. JEAN-PIERRE:", "ADMIRAL KIRBY:", "MODERATOR:",
"THE PRESIDENT:") or "Q" for a journalist's question. Unlabelled paragraphs continue the turn
before them; what precedes the first label (room, time) is not a turn.

Not turn text: time stamps ("12:45 P.M. EDT"), "END" lines, paragraphs that are only a stage
direction ("(Laughter.)", "[inaudible]"), and stage directions written as their own
parenthesised sentence inside a paragraph ("Thank you. (Laughter.)", "(Cross-talk.)"). An
in-sentence gap marker ("we're going to (inaudible) that") stays: removing it would join words
that were not said together. Markdown escapes ("\\[", "\\_") are undone.

Labels name people by surname ("MS. NEUBERGER"); the full name is the one the briefing itself
gives: "<Given name> <Surname>" in the title first ("... Press Secretary Karine Jean-Pierre"),
else the most frequent in the text ("Deputy National Security Advisor Anne Neuberger"). Then a
small table of recurring Biden-era briefers, then a close spelling match for typos ("MR.
SULLIAN"). "THE PRESIDENT" is the president in office on the briefing date. Roles: "Q" is a
journalist, a moderator or operator chairs, everyone else is an official; posts come from the
title.
"""
from __future__ import annotations

import difflib
import re
from collections import Counter
from datetime import date
from pathlib import Path

import yaml

from rag.readers.base import NotATranscript, Page, ReadError
from rag.readers.speakers import SpeakerNames, display_case, sequence_turns, strip_titles
from rag.records import (CHAIR, JOURNALIST, OFFICIAL, WHITEHOUSE, Briefing, Participant, Turn,
                         names_a_role)
from rag.text.normalize import clean_space
from rag.text.dates import parse_date

# (first day in office, name); the last entry whose day is on or before the briefing wins.
_PRESIDENTS = (("2009-01-20", "Barack Obama"), ("2017-01-20", "Donald Trump"),
               ("2021-01-20", "Joe Biden"), ("2025-01-20", "Donald Trump"))
_VICE_PRESIDENTS = (("2009-01-20", "Joe Biden"), ("2017-01-20", "Mike Pence"),
                    ("2021-01-20", "Kamala Harris"), ("2025-01-20", "JD Vance"))
# Last resort for labels whose full name the briefing never writes (a background call run by
# the press office): the most frequent briefers of the Biden White House (2021-01-20 to
# 2025-01-19), by label surname. Kept small on purpose; the briefing's own text comes first.
_BIDEN_TERM = ("2021-01-20", "2025-01-19")
_RECURRING = {
    "psaki": "Jen Psaki", "jean-pierre": "Karine Jean-Pierre", "kirby": "John Kirby",
    "sullivan": "Jake Sullivan", "zients": "Jeff Zients", "fauci": "Anthony Fauci",
    "walensky": "Rochelle Walensky", "jha": "Ashish Jha", "slavitt": "Andy Slavitt",
    "dalton": "Olivia Dalton", "bates": "Andrew Bates", "sams": "Ian Sams",
}

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(?P<yaml>.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_WHITEHOUSE_URL = re.compile(r"^source_url:\s*['\"]?https?://[\w.-]*whitehouse[\w.-]*\.gov/", re.M)
_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*(?:\n[ \t\u00a0]*)+")
_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~<>])")
_LABEL = re.compile(r"^(?P<label>[A-ZÀ-Þ][A-ZÀ-Þ.'’\- \u00a0]*[A-ZÀ-Þ.])\s*:\s*(?P<text>.*)$",
                    re.S)
_QUESTION = re.compile(r"^Q(?:\s*:|\s+|(?=[—–]))\s*(?P<text>.*)$", re.S)
# A question opening a line inside a paragraph: "Q", spaces, then a capital, quote or dash.
_LINE_QUESTION = re.compile(r"^[ \t\u00a0]*Q[ \t\u00a0]+[A-Z\"“—–(]")
_TIME = r"\d{1,2}:\d\d\s*(?:[AP]\.?\s?M\.?)?(?:\s*[A-Z]{2,4})?"
_NOT_TEXT = re.compile(rf"^(?:END(?:\s+{_TIME})?|{_TIME}|[(\[][^()\[\]]*[)\]]\.?)$")
_TRAILING_END = re.compile(rf"\s+END\s+{_TIME}$")
# A parenthesised sentence (capitalised, ending in a lower-case word and a full stop), or a
# reaction however punctuated: "(Laughter.)", "(Cross-talk by reporters.)", "(Laughs)".
_STAGE_DIRECTION = re.compile(r"\s*\((?:[A-Z][^()]*[a-z]{2}[.!]|(?:Laughter|Laughs|Laughing|"
                              r"Applause|Cross-?talk)\.?)\)\.?")
# Markdown bold markers and invisible format characters are not words.
_MARKUP = re.compile(r"\*\*|[\u200b\u2060\ufeff]")
# Who speaks in a published statement that has no speaker labels.
STATEMENT_SPEAKER = "The White House"
_CHAIR_LABELS = ("MODERATOR", "THE MODERATOR", "OPERATOR", "THE OPERATOR")
# Capitalised words that stand before a surname without being a given name.
_NOT_GIVEN = {"the", "and", "but", "so", "thank", "thanks", "hi", "hey", "okay", "welcome",
              "dear", "speaker", "leader", "advisor", "adviser", "coordinator", "judge",
              "justice", "congressman", "congresswoman", "acting", "former", "first", "lady",
              "surgeon", "senior", "special", "envoy", "press", "prime", "mister", "coach",
              "sheriff", "chancellor", "king", "queen", "prince", "princess", "pope", "emperor",
              "deputy", "principal", "national", "homeland", "security", "house",
              "white", "states", "united", "american", "americans", "u", "s"}
_EVENT = re.compile(r"^.*?\b(?:Briefing|Gaggle|Call|Roundtable|Remarks|Conference|Interview|"
                    r"Statement)s?\b(?:\s+(?:by|with|from))?\s*", re.I)


def sniff(path: Path, text: str) -> bool:
    """Markdown with front matter whose source_url is a White House page, or a file filed under
    press-briefings/YYYY-MM/."""
    if path.suffix.lower() not in {".md", ".markdown"}:
        return False
    m = _FRONT_MATTER.match(text)
    if m and _WHITEHOUSE_URL.search(m.group("yaml")):
        return True
    return (path.parent.parent.name == "press-briefings"
            and re.fullmatch(r"\d{4}-\d\d", path.parent.name) is not None)


def read(pages: list[Page]) -> list[Briefing]:
    """One Briefing per file."""
    return [_read_file(page) for page in pages]


def _read_file(page: Page) -> Briefing:
    meta, body = _front_matter(page.text)
    title = _field(meta, "title")
    iso = _briefing_date(meta, title, page.path)
    blocks = _paragraphs(_MARKDOWN_ESCAPE.sub(r"\1", _MARKUP.sub("", body.replace("\r\n", "\n"))))
    labelled = [_turn_start(block) for block in blocks]
    first = next((i for i, start in enumerate(labelled) if start), None)
    if first is None:
        # A statement or fact sheet published in the briefing room: no speaker labels, the
        # words are the White House's own, so they are one official turn of that speaker.
        statement = "\n".join(filter(None, map(_spoken, blocks)))
        if not statement:
            raise NotATranscript("no speaker labels ('MS. NAME:' or 'Q') and no text")
        return Briefing(id=f"{WHITEHOUSE}-{page.path.stem}", title=title, date=iso,
                        source=WHITEHOUSE, location=_field(meta, "source_url") or str(page.path),
                        participants=[Participant(STATEMENT_SPEAKER)],
                        turns=sequence_turns([Turn(0, STATEMENT_SPEAKER, OFFICIAL, statement)]))
    resolver = _Resolver(title, "\n".join(blocks), iso)
    # Frequent labels first, so a rare misspelt one ("MR. SULLIAN") finds its full name known.
    for label, _ in Counter(start[0] for start in labelled if start).most_common():
        resolver.speaker(label)
    turns: list[Turn] = []
    paragraphs: list[list[str]] = []
    for block, start in zip(blocks[first:], labelled[first:]):
        if start:
            label, block = start
            speaker, role = resolver.speaker(label)
            turns.append(Turn(order=0, speaker=speaker, role=role, text=""))
            paragraphs.append([])
        kept = _spoken(block)
        if kept:
            paragraphs[-1].append(kept)
    for turn, paras in zip(turns, paragraphs):
        turn.text = "\n".join(paras)
    turns = sequence_turns([t for t in turns if t.text])
    chairs = [t.speaker for t in turns if t.role == CHAIR]
    return Briefing(
        id=f"{WHITEHOUSE}-{page.path.stem}",
        title=title,
        date=iso,
        source=WHITEHOUSE,
        location=_field(meta, "source_url") or str(page.path),
        participants=[Participant(name, resolver.post(name))
                      for name in dict.fromkeys(t.speaker for t in turns if t.role == OFFICIAL)],
        chair=chairs[0] if chairs else "",
        turns=turns,
    )


def _front_matter(text: str) -> tuple[dict, str]:
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    try:
        meta = yaml.safe_load(m.group("yaml")) or {}
    except yaml.YAMLError as err:
        raise ReadError(f"front matter is not valid YAML ({clean_space(str(err))})") from err
    if not isinstance(meta, dict):
        raise ReadError("front matter is not a mapping of fields")
    return meta, text[m.end():]


def _field(meta: dict, key: str) -> str:
    """A front-matter value as clean text: no backslashes, no-break spaces or invisible marks."""
    return clean_space(_MARKUP.sub("", str(meta.get(key) or "").replace("\\", "")))


def _briefing_date(meta: dict, title: str, path: Path) -> str:
    value = meta.get("date")
    if isinstance(value, date):
        return value.isoformat()[:10]
    for text in (str(value or ""), title, str(meta.get("published_time") or ""), path.stem):
        iso = parse_date(text)
        if iso:
            return iso
    raise ReadError("no date in the front matter, title or file name")


def _paragraphs(body: str) -> list[str]:
    """The paragraphs of the body, whitespace collapsed. A turn usually opens a paragraph, but
    sometimes only a line: such a line (a "Q", or a label that opens a paragraph elsewhere in
    the file) splits its paragraph; a wrapped line that merely starts "NATO: ..." does not."""
    raw = [block for block in _BLANK_LINE.split(body) if block.strip()]
    labels = {start[0] for start in map(_turn_start, map(clean_space, raw)) if start}
    paragraphs: list[str] = []
    for block in raw:
        lines: list[str] = []
        for line in block.split("\n"):
            start = _turn_start(clean_space(line)) if lines else None
            if start and (start[0] in labels and start[0] != "Q" or _LINE_QUESTION.match(line)):
                paragraphs.append(clean_space(" ".join(lines)))
                lines = []
            lines.append(line)
        paragraphs.append(clean_space(" ".join(lines)))
    return [p for p in paragraphs if p]


def _turn_start(block: str) -> tuple[str, str] | None:
    """(label, text) when `block` opens a turn; 'Q' is the label of a journalist's question."""
    m = _QUESTION.match(block)
    if m:
        return "Q", m.group("text")
    m = _LABEL.match(block)
    if m and not re.fullmatch(r"END\b.*", m.group("label")):
        return " ".join(m.group("label").split()), m.group("text")
    return None


def _spoken(paragraph: str) -> str:
    """The paragraph without stage directions and time stamps; '' when nothing was said."""
    if _NOT_TEXT.match(paragraph):
        return ""
    return clean_space(_STAGE_DIRECTION.sub("", _TRAILING_END.sub("", paragraph)))


def _in_office(terms: tuple[tuple[str, str], ...], iso: str) -> str:
    holders = [name for start, name in terms if start <= iso]
    return holders[-1] if holders else ""


class _Resolver:
    """Labels of one briefing -> (speaker, role), with the posts its title gives."""

    def __init__(self, title: str, text: str, iso: str) -> None:
        self.title, self.text, self.iso = title, text, iso
        self.president = _in_office(_PRESIDENTS, iso)
        self.names = SpeakerNames()
        self.cache: dict[str, tuple[str, str]] = {}

    def speaker(self, label: str) -> tuple[str, str]:
        if label not in self.cache:
            self.cache[label] = self._resolve(label)
        return self.cache[label]

    def _resolve(self, label: str) -> tuple[str, str]:
        upper = label.upper().rstrip(".")
        if upper == "Q":
            return "Journalist", JOURNALIST
        if _close(upper, _CHAIR_LABELS):
            return display_case(upper.removeprefix("THE ")), CHAIR
        if _close(upper, ("THE VICE PRESIDENT", "VICE PRESIDENT")):
            return _in_office(_VICE_PRESIDENTS, self.iso) or display_case(upper), OFFICIAL
        if _close(upper, ("THE PRESIDENT", "PRESIDENT")) and self.president:
            return self.president, OFFICIAL
        if names_a_role(upper):
            return display_case(upper), OFFICIAL
        return self._person(label), OFFICIAL

    def _person(self, label: str) -> str:
        if (re.fullmatch(r"PRESIDENT \S+", label.upper()) and self.president
                and self.president.split()[-1].upper() == label.split()[-1].upper()):
            return self.president
        bare = strip_titles(label)
        keys = list(dict.fromkeys([bare, bare.split()[-1]]))
        for key in keys:
            known = self.names.matches(key)
            if len(known) == 1:
                return known[0]
        for key in keys:
            found = self._introduced(key)
            if found:
                self.names.add(found)
                return found
        for key in keys:
            recurring = _RECURRING.get(key.lower())
            if recurring and _BIDEN_TERM[0] <= self.iso <= _BIDEN_TERM[1]:
                self.names.add(recurring)
                return recurring
        surnames = {n.split()[-1].lower(): n for n in self.names.full_names}
        if _BIDEN_TERM[0] <= self.iso <= _BIDEN_TERM[1]:
            surnames.update({k: v for k, v in _RECURRING.items() if k not in surnames})
        typo = keys[-1].lower()
        # A misspelling keeps the first letter and about the length ("SULLIAN", "OKAFRO"),
        # which keeps distinct names apart ("SIMONS" is not "SIMS").
        similar = [s for s in surnames if s[:1] == typo[:1] and abs(len(s) - len(typo)) <= 1]
        close = difflib.get_close_matches(typo, similar, n=1, cutoff=0.8)
        if close:
            return surnames[close[0]]
        return display_case(bare)

    def _introduced(self, surname: str) -> str:
        """'<Given> <Surname>' as the title writes it, else as the text most often does."""
        pattern = re.compile(r"(?<![\w.'’-])(?P<given>[A-ZÀ-Þ][\w'’-]+(?: [A-Z]\.)?)[ \u00a0]+"
                             rf"(?P<surname>(?i:{re.escape(surname)}))(?![\w'’-])")
        for text in (self.title, self.text):
            found = Counter(f"{m.group('given')} {m.group('surname')}"
                            for m in pattern.finditer(text) if _given_name(m.group("given")))
            if found:
                return found.most_common(1)[0][0]
        return ""

    def post(self, name: str) -> str:
        """The post the title gives `name` ("Press Secretary Karine Jean-Pierre")."""
        if name == self.president:
            return "President"
        at = self.title.find(name)
        if at < 0:
            return ""
        before = self.title[:at]
        # The post starts after the previous participant (a name, a comma) or after the
        # event words ("Press Briefing by ").
        others = [n for n in self.names.full_names if n != name]
        if self.president:  # titles call the president "President Biden"
            others.append(f"President {self.president.split()[-1]}")
        ends = [before.rfind(other) + len(other) for other in others if other in before]
        before = before[max(ends, default=0):]
        before = before.rsplit(",", 1)[-1] if "," in before else _EVENT.sub("", before, count=1)
        # Left: the post, maybe with a joining "and" before it and an honorific after it.
        return re.sub(r"^[\s,;:\"”’]*(?:and\s+)?|(?:\s+(?:Dr|Mr|Mrs|Ms)\.?)?\s*$", "", before)


def _close(label: str, choices: tuple[str, ...]) -> bool:
    """`label` is one of `choices`, allowing a typo ("MODEARTOR", "THE PRESIDNET")."""
    return bool(difflib.get_close_matches(label, choices, n=1, cutoff=0.85))


def _given_name(word: str) -> bool:
    """A capitalised word that can be a given name: not a title, not an all-caps label word."""
    bare = word.split()[0]
    return (bare[1:] != bare[1:].upper() and bare.lower() not in _NOT_GIVEN
            and strip_titles(f"{bare} X") == f"{bare} X")
