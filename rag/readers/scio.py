"""Reader for China's State Council Information Office (SCIO) press conference transcripts.

english.scio.gov.cn publishes a briefing as one or more numbered pages (content_<id>.htm,
content_<id>_2.htm, ...), read here as HTML or as text saved from the browser. Each page
repeats the header: site chrome, title, an intro ("The State Council Information Office held a
press conference on July 5 in Beijing ...") with the publication date; the first page may add
"Speakers:" (with posts), "Chairperson:" and "Date:". The body is turns: a line holding only a
label and a colon ("Jin Zhuanglong:", "Xinhua News Agency:"), then that turn's paragraphs.

The pages are assembled into ONE Briefing: the repeated header is dropped, and paragraphs that
open a page before any label continue the previous page's last turn. Labels are told apart
thus: the chairperson (from the header, a known SCIO spokesperson, or chairing phrases such as
"the floor is now open") chairs; a label naming a media outlet (`outlet_of`), or one that is
neither a known participant nor shaped like a person's name, is a journalist whose speaker
and outlet are the outlet's name; everyone else is an official. An ambiguous label ("Mr. Zhao"
with two Zhaos on the podium) is resolved by the hand-off in the turn before it ("I'd like to
invite Mr. Zhao Mingyuan to answer"). The briefing date is the day the conference was held:
the "Date:" field, else the intro's "held ... on July 5" with the year of the publication date
(one less for a December conference published in January), else the publication date.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import lxml.html
from lxml import etree

from rag.readers.base import Page, ReadError, page_key
from rag.readers.plain import is_date_line, parse_people, split_label
from rag.readers.speakers import (SpeakerNames, display_case, outlet_of, sequence_turns,
                                  strip_titles)
from rag.records import CHAIR, JOURNALIST, OFFICIAL, SCIO, Briefing, Participant, Turn
from rag.text.normalize import clean_space, content_hash, normalize
from rag.text.dates import find_dates, month_day, parse_date
from rag.text.sentences import sentences

_HTML_SUFFIXES = {".htm", ".html", ".shtml"}
_TEXT_SUFFIXES = {".txt", ".md"}

# SCIO spokespeople who chair its briefings: a page without the header still knows its chair.
_SCIO_CHAIRS = {"Shou Xiaoli", "Xing Huina", "Chen Wenjun", "Hu Kaihong", "Xi Yanchun",
                "Guo Weimin"}
# Phrases only a chair says; checked on short turns of a briefing whose chair is unknown.
_CHAIRING = re.compile(
    r"\b(?:floor is (?:now )?open|"
    r"identify (?:the|your) (?:news |media )?(?:outlet|organization)|"
    r"press conference is (?:now |hereby )?(?:concluded|over|adjourned))\b", re.I)
_CHAIRING_MAX_WORDS = 80

# "The State Council Information Office (SCIO) held a press conference on ..."
_SNIFF_INTRO = re.compile(r"(?:State Council Information Office|SCIO)(?:\s*\(SCIO\))?\s+held\b",
                          re.I)
_INTRO = re.compile(r"^(?:the\s+)?" + _SNIFF_INTRO.pattern, re.I)
_HELD = re.compile(r"\bheld\b(?P<clause>.*)", re.I)
_HEADER_KEY = re.compile(r"^(?P<key>speakers?|chairpersons?|chair|moderator|date|time|location|"
                         r"venue|place)\s*[:：]\s*(?P<value>.*)$", re.I)
_PEOPLE_KEYS = {"speaker", "speakers"}
_CHAIR_KEYS = {"chairperson", "chairpersons", "chair", "moderator"}
_LIST_KEYS = _PEOPLE_KEYS | _CHAIR_KEYS  # followed by one line per person
_PERSON_ENTRY = re.compile(r"^(?:(?:Mr|Ms|Mrs|Madam|Dr|Prof)\.?\s+)?[A-Z][\w'’-]*"
                           r"(?:\s+[A-Z][\w'’-]*){0,4}\s*(?:,|;|$)")
_PERSON_NAME = re.compile(r"^[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){1,3}$")

# Site chrome: breadcrumbs ("ㄑ Press Room ㄑ ..."), page navigators ("<  1  2  3 ... >"),
# share/print/font links.
_NAVIGATOR = re.compile(r"^[\s<>‹›«»\d.…|]+$")
_CHROME_WORDS = {"share", "to", "print", "close", "email", "e-mail", "weibo", "wechat",
                 "facebook", "twitter", "linkedin", "favorite", "font", "size", "a", "a+", "a-",
                 "large", "medium", "small", "|", "copy", "link", "this", "page", "next",
                 "previous", "prev"}
_DATELINE_CLASS = re.compile(r"date|time|info|pub", re.I)


@dataclass
class _Sheet:
    """One page reduced to its paragraphs (chrome removed)."""

    number: int
    url: str
    title: str  # from the HTML title element; '' for text pages
    published: str  # ISO, from an HTML date line or meta tag; '' when not found
    lines: list[str]


@dataclass
class _Header:
    title: str = ""
    published: str = ""
    held: str = ""  # the intro's "held ... on July 5 in Beijing ..." clause
    date: str = ""  # the "Date:" field, ISO
    people: list[Participant] = field(default_factory=list)
    chair: str = ""


@dataclass
class _Block:
    """A speaker label and the paragraphs under it, before names and roles are settled."""

    label: str
    page: int
    paragraphs: list[str]


def _is_chrome(line: str) -> bool:
    if "ㄑ" in line:
        return True
    if _NAVIGATOR.match(line) and re.search(r"[\d<>‹›«»]", line):
        return True
    return all(word.strip(":").lower() in _CHROME_WORDS for word in line.split())


def sniff(path: Path, text: str) -> bool:
    """SCIO chrome or the SCIO intro in a saved text page; an SCIO address in an HTML page."""
    suffix = path.suffix.lower()
    if suffix in _HTML_SUFFIXES:
        return "scio.gov.cn" in text[:20000].lower() or bool(_SNIFF_INTRO.search(text[:20000]))
    if suffix in _TEXT_SUFFIXES:
        head = text[:3000]
        return ("ㄑ Press Room" in head or "Press Conference Transcripts" in head
                or bool(_SNIFF_INTRO.search(head)))
    return False


def _text_sheet(page: Page, number: int) -> _Sheet:
    lines = [clean_space(line) for line in page.text.splitlines()]
    return _Sheet(number, "", "", "", [line for line in lines if line and not _is_chrome(line)])


def _html_sheet(page: Page, number: int) -> _Sheet:
    try:
        doc = lxml.html.document_fromstring(page.text.encode("utf-8"),
                                            parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (ValueError, etree.ParserError) as err:
        raise ReadError(f"cannot parse the HTML ({err})") from None
    for junk in doc.xpath("//script|//style|//noscript|//comment()"):
        junk.drop_tree()
    for br in doc.iter("br"):
        br.tail = "\n" + (br.tail or "")
    url = next(iter(doc.xpath("//link[@rel='canonical']/@href"
                              "|//meta[@property='og:url']/@content")), "")
    title = next((clean_space(h.text_content()) for h in doc.iter("h1")
                  if h.text_content().strip()), "")
    if not title:
        title = re.split(r"\s+[|_-]\s+", clean_space(doc.findtext(".//title") or ""))[0]
    published = ""
    for el in doc.xpath("//*[@class or @id]"):
        text = clean_space(el.text_content())
        if len(text) <= 120 and _DATELINE_CLASS.search(f"{el.get('class', '')} {el.get('id', '')}"):
            published = parse_date(text) or ""
            if published:
                break
    if not published:
        meta = doc.xpath("//meta[@name='publishdate' or @name='PubDate' or "
                         "@property='article:published_time']/@content")
        published = (parse_date(meta[0]) or "") if meta else ""
    # The article is the element whose own <p> children hold the most text.
    holders = {p.getparent() for p in doc.iter("p")}
    if not holders:
        raise ReadError("no <p> paragraphs in the HTML page")
    article = max(holders, key=lambda el: sum(len(p.text_content()) for p in el.iterchildren("p")))
    lines = []
    for block in article.xpath(".//p|.//h2|.//h3|.//h4"):
        for line in block.text_content().split("\n"):
            line = clean_space(line)
            if line and not _is_chrome(line):
                lines.append(line)
    return _Sheet(number, url.strip(), title, published, lines)


def _take_header_value(header: _Header, key: str, value: str, record: bool) -> bool:
    """File one header value under `key` (when `record`); False when it is not such a value."""
    if key in _LIST_KEYS:
        if not all(_PERSON_ENTRY.match(part.strip()) for part in value.split(";") if part.strip()):
            return False
        if record:
            people = parse_people(value)
            if key in _CHAIR_KEYS:
                for person in people:
                    person.role = CHAIR
                header.chair = header.chair or (people[0].name if people else "")
            header.people.extend(people)
        return True
    if key == "date":
        iso = parse_date(value)
        if record and iso:
            header.date = iso
        return iso is not None
    return len(value) <= 200  # time, location, venue, place: kept out of the text


def _turn_label(line: str, names: SpeakerNames) -> tuple[str, str] | None:
    """A speaker label opening `line`. A label with words after it on the same line must be
    a known name, an outlet or a titled person, so prose like "Third: ..." stays prose."""
    labelled = split_label(line)
    if not labelled:
        return None
    label, rest = labelled
    if rest and not (names.matches(label) or outlet_of(label) is not None or _titled(label)):
        return None
    return labelled


def _titled(label: str) -> bool:
    """'Mr. Lan', 'Minister Lan': the label starts with a title."""
    return len(strip_titles(label).split()) < len(label.replace(".", " ").split())


def _scan(sheet: _Sheet, header: _Header, names: SpeakerNames, blocks: list[_Block],
          first: bool, seen: set[str]) -> None:
    """Add one page's turns to `blocks`; on the first page, fill `header` (and `names`) from
    the lines before the first label. On later pages the repeated header is skipped and any
    other line before the first label continues the previous page's last turn."""
    key = ""  # the header field whose values the following lines give ("speakers", "date")
    in_body = False
    for line in sheet.lines:
        m = None if in_body else _HEADER_KEY.match(line)
        if m:
            key, value = m.group("key").lower(), m.group("value")
            if value and _take_header_value(header, key, value, first) and key not in _LIST_KEYS:
                key = ""
        elif labelled := _turn_label(line, names):
            in_body = True
            label, rest = labelled
            blocks.append(_Block(label, sheet.number, [rest] if rest else []))
        elif in_body:
            blocks[-1].paragraphs.append(line)
        elif key and _take_header_value(header, key, line, first):
            key = key if key in _LIST_KEYS else ""
        else:
            key = ""
            if first:
                _take_preamble(header, line)
                seen.add(normalize(line))
            elif blocks and not (normalize(line) in seen or _INTRO.match(line)
                                 or is_date_line(line)):
                blocks[-1].paragraphs.append(line)
        for person in header.people:
            names.add(person.name)


def _take_preamble(header: _Header, line: str) -> None:
    """Title, intro and publication date from the first page's lines before the first turn."""
    if _INTRO.match(line):
        held = _HELD.search(line)
        if held and not header.held:
            header.held = sentences(held.group("clause"))[0]
    elif not header.title and not is_date_line(line):
        header.title = line
        return
    dates = find_dates(line)
    if dates and not header.published:
        header.published = dates[-1]


def _held_date(header: _Header) -> str:
    """The day the conference was held (see the module docstring); '' when unknown."""
    if header.date:
        return header.date
    md = month_day(header.held)
    if md and header.published:
        published = date.fromisoformat(header.published)
        year = published.year - 1 if md[0] > published.month else published.year
        try:
            return date(year, md[0], md[1]).isoformat()
        except ValueError:
            pass
    return parse_date(header.held) or header.published


def _speaker(block: _Block, previous: _Block | None, names: SpeakerNames, header: _Header,
             header_known: bool) -> tuple[str, str, str]:
    """(speaker, role, outlet) of one block."""
    matches = names.matches(block.label)
    outlet = outlet_of(block.label)
    if outlet is not None and not matches:
        return outlet or "Journalist", JOURNALIST, outlet
    if len(matches) > 1 and previous:
        # A hand-off ("I'd like to invite Mr. Zhao Mingyuan to answer") names who speaks next.
        said = " ".join(previous.paragraphs).lower()
        named = [name for name in matches if name.lower() in said]
        matches = named if len(named) == 1 else matches
    name = matches[0] if len(matches) == 1 else names.resolve(block.label)
    if name == header.chair or name in _SCIO_CHAIRS:
        return name, CHAIR, ""
    bare = strip_titles(block.label)
    if matches or _titled(block.label) or (not header_known and _PERSON_NAME.match(bare)):
        return name, OFFICIAL, ""
    label = clean_space(block.label)
    return label, JOURNALIST, label


def read(pages: list[Page]) -> list[Briefing]:
    """The pages of one briefing, in page order -> one Briefing."""
    sheets = []
    for page in pages:
        number = page_key(page.path)[1]
        sheets.append(_html_sheet(page, number) if page.path.suffix.lower() in _HTML_SUFFIXES
                      else _text_sheet(page, number))
    header = _Header(title=sheets[0].title, published=sheets[0].published)
    names = SpeakerNames()
    blocks: list[_Block] = []
    seen = {normalize(sheets[0].title)} if sheets[0].title else set()
    for index, sheet in enumerate(sheets):
        _scan(sheet, header, names, blocks, index == 0, seen)
    # With a header, a label that is no participant and has no title names an outlet; without
    # one, a body label shaped like a full name ("Jin Zhuanglong") is a person.
    header_known = bool(header.people)
    if not header_known:
        for block in blocks:
            bare = strip_titles(block.label)
            if outlet_of(block.label) is None and _PERSON_NAME.match(bare):
                names.add(display_case(bare))

    turns: list[Turn] = []
    previous = None
    for block in blocks:
        text = "\n".join(block.paragraphs)
        if text:
            speaker, role, outlet = _speaker(block, previous, names, header, header_known)
            turns.append(Turn(order=0, speaker=speaker, role=role, text=text, outlet=outlet,
                              page=block.page))
        previous = block
    chair = header.chair or next((t.speaker for t in turns if t.role == CHAIR), "")
    if not chair:
        chair = next((t.speaker for t in turns if t.role == OFFICIAL and _CHAIRING.search(t.text)
                      and len(t.text.split()) <= _CHAIRING_MAX_WORDS), "")
        for turn in turns:
            if turn.speaker == chair:
                turn.role = CHAIR
    sequence_turns(turns)
    stem = Path(page_key(pages[0].path)[0]).name
    location = sheets[0].url or str(pages[0].path)
    return [Briefing(id=f"{SCIO}-{content_hash(sheets[0].url or stem)[:16]}",
                     title=header.title or stem, date=_held_date(header), source=SCIO,
                     location=location, participants=header.people, chair=chair, turns=turns)]
