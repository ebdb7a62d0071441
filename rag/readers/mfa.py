"""Reader for China's Foreign Ministry (fmprc.gov.cn) regular press conference pages.

Each page (t<id>.shtml, raw HTML as served) holds one conference. Only the article body
(div.content inside div.content_mod) is transcript; navigation, the share/print bar and the
"Related News" list around it are site chrome. The spokesperson is named in the title
("Foreign Ministry Spokesperson Hua Chunying's Regular Press Conference on June 7, 2018").

Paragraphs are turns: "Q:" (or "Follow-up:", "Journalist:", an outlet such as "CCTV:") is a
journalist question, "Q: (Reuters) ..." names its outlet; "A:" or the spokesperson's name
("Zhao Lijian:", used from 2020) is the spokesperson's answer. Unlabelled paragraphs continue
the current answer (the site prints each question as one paragraph, so one after a question is
an answer that lacks its "A:"); those before the first question are the spokesperson's opening
announcements, and those after a "***" separator are closing announcements (neither answers
a question). A known spokesperson other than the title's (Hua Chunying introducing Zhao Lijian)
is an official speaker too.

The date is the title's. Some titles have no year ("... on September 10"): the year is the one
that puts that day nearest the dates the page carries (upload stamps of its photos
"W020180910...", dates of its related links). A title with no date at all (a "Remarks on ..."
page) takes its photos' upload date, else its newest related link (the page cannot predate
what it links to): an estimate that may fall a day or so early.

List pages (default*.shtml: links to conferences, no article body) raise NotATranscript.
"""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import lxml.html

from rag.readers.base import NotATranscript, Page, ReadError
from rag.readers.html import paragraphs, parse
from rag.readers.speakers import outlet_of, sequence_turns, strip_titles
from rag.records import JOURNALIST, MFA, OFFICIAL, Briefing, Participant, Turn
from rag.text.normalize import clean_space
from rag.text.dates import find_dates, month_day, parse_date

POST = "Foreign Ministry Spokesperson"
# Spokespeople of the period covered, so a "Name:" label of one not in the title (a colleague
# introducing a new spokesperson) is still an official, not a media outlet.
_SPOKESPEOPLE = ("Hua Chunying", "Geng Shuang", "Lu Kang", "Zhao Lijian", "Wang Wenbin")

_TITLE_SPOKESPERSON = re.compile(
    r"Spokes(?:person|man|woman)\s+(?P<name>[A-Z][\w-]*(?:\s+[A-Z][\w-]*){1,2})['’]s?\s")
_LABEL = re.compile(r"^(?P<label>[^:：]{1,90}?)\s*[:：]\s*(?P<rest>.*)$", re.S)
_OUTLET_PREFIX = re.compile(r"^\((?P<outlet>[^()]{2,60})\)\s*(?P<rest>.+)$", re.S)
# Unnamed askers: "Q", "Follow-up", "Journalist", "Reporter", "Journalist adds", "The
# journalist clarified", "The following question was raised (by a journalist) after ...".
_ASKER = re.compile(r"^(?:q|follow-?up(?: question)?|"
                    r"(?:the |a )?(?:foreign )?(?:journalist|reporter)(?: \w+)?)$", re.I)
# "The following question was raised after the press conference", "A journalist posed the
# following question after ...", "Question raised after the press conference".
_LATE_QUESTION = re.compile(r"\bquestions?\b.*\b(?:raised|posed|asked)\b|"
                            r"\b(?:raised|posed|asked)\b.*\bquestions?\b", re.I)
# An outlet label is a short run of capitalised words ("The Paper", "ITN&BBC", "CCTV4").
_OUTLET_SHAPE = re.compile(
    r"^(?:The |De |La |Le )?[A-Z][\w&'.-]*(?: (?:[A-Z][\w&'.-]*|of|and|for|&)){0,5}$")
_MAX_OUTLET_WORDS = 6
_SEPARATOR = re.compile(r"^[\W_]+$")
_UPLOAD_STAMP = re.compile(r"W0(20\d\d)(\d\d)(\d\d)\d")
_CONFERENCE_TITLE = re.compile(
    r"<title>[^<]*Spokes(?:person|man|woman)[^<]*Regular Press Conference", re.I)
_CONFERENCE_LINK = re.compile(r"t\d+\.s?html?$")
# XPath test for one class among several ("content" but not "content_mod").
_HAS_CLASS = "contains(concat(' ', normalize-space(@class), ' '), ' {} ')"


def sniff(path: Path, text: str) -> bool:
    """An HTML page of fmprc.gov.cn, or one titled as a spokesperson's regular press conference."""
    if not re.match(r"\s*<", text):
        return False
    return "fmprc.gov.cn" in text or bool(_CONFERENCE_TITLE.search(text))


def read(pages: list[Page]) -> list[Briefing]:
    """One Briefing per page: each MFA page is a whole conference."""
    return [_read_page(page) for page in pages]


def _read_page(page: Page) -> Briefing:
    root = parse(page.text)
    article = _first(root, f"//div[{_HAS_CLASS.format('content_mod')}]")
    body = _first(article if article is not None else root,
                  f".//div[{_HAS_CLASS.format('content')}]")
    title = _title(root, article)
    if body is None:
        if _is_list_page(root):
            raise NotATranscript("list page of press conferences, not a transcript")
        raise ReadError("no article body (div.content) found on this fmprc.gov.cn page")
    spokesperson = _spokesperson(title)
    turns, announcements = _turns(paragraphs(body), spokesperson)
    sequence_turns(turns)
    for turn in announcements:
        turn.question = ""
    speakers = [spokesperson] + [t.speaker for t in turns
                                 if t.role == OFFICIAL and t.speaker != spokesperson]
    return Briefing(
        id=f"{MFA}-{page.path.stem}",
        title=title,
        date=_briefing_date(title, root, body),
        source=MFA,
        location=_location(page.path),
        participants=[Participant(name, POST) for name in dict.fromkeys(speakers)],
        turns=turns,
    )


def _first(node: lxml.html.HtmlElement, xpath: str) -> lxml.html.HtmlElement | None:
    found = node.xpath(xpath)
    return found[0] if found else None


def _title(root: lxml.html.HtmlElement, article: lxml.html.HtmlElement | None) -> str:
    heading = _first(article, ".//h2[contains(@class, 'title')]") if article is not None else None
    if heading is None or not heading.text_content().strip():
        heading = _first(root, "//title")
    return clean_space(heading.text_content()) if heading is not None else ""


def _is_list_page(root: lxml.html.HtmlElement) -> bool:
    links = [a for a in root.iter("a") if _CONFERENCE_LINK.search(a.get("href") or "")
             and "press conference" in a.text_content().lower()]
    return len(links) >= 3


def _spokesperson(title: str) -> str:
    m = _TITLE_SPOKESPERSON.search(title)
    if not m:
        raise ReadError(f"no spokesperson named in the title '{title}'")
    return m.group("name")


def _turns(paras: list[str], spokesperson: str) -> tuple[list[Turn], list[Turn]]:
    """The turns of the body, and those among them that are announcements (no question)."""
    names = {name.lower(): name for name in (*_SPOKESPEOPLE, spokesperson)}
    turns: list[Turn] = []
    announcements: list[Turn] = []
    current: Turn | None = None  # None at the start and after a "***" separator
    for para in paras:
        if _SEPARATOR.match(para):
            current = None
            continue
        speaker = _speaker(para, spokesperson, names)
        # The site prints each question as one paragraph; an answer sometimes lacks its "A:".
        if speaker is None and current is not None and current.role != JOURNALIST:
            current.text += "\n" + para
            continue
        name, role, outlet, text = speaker or (spokesperson, OFFICIAL, "", para)
        turn = Turn(order=0, speaker=name, role=role, text=text, outlet=outlet)
        if speaker is None and current is None:
            announcements.append(turn)
        turns.append(turn)
        current = turn
    return turns, announcements


def _speaker(para: str, spokesperson: str,
             names: dict[str, str]) -> tuple[str, str, str, str] | None:
    """(speaker, role, outlet, text) when `para` opens a turn with a label, else None."""
    m = _LABEL.match(para)
    if not m:
        return None
    label, rest = " ".join(m.group("label").split()), m.group("rest").strip()
    if not rest:
        return None
    if label.upper() == "A":
        return spokesperson, OFFICIAL, "", rest
    if label.lower() in names:
        return names[label.lower()], OFFICIAL, "", rest
    if _ASKER.match(label) or _LATE_QUESTION.search(label):
        named = _OUTLET_PREFIX.match(rest) if label.upper() == "Q" else None
        if named and _OUTLET_SHAPE.match(named.group("outlet")):
            return named.group("outlet"), JOURNALIST, named.group("outlet"), named.group("rest")
        return "Journalist", JOURNALIST, "", rest
    if len(label.split()) > _MAX_OUTLET_WORDS:
        return None
    outlet = outlet_of(label)
    if outlet is None and _OUTLET_SHAPE.match(label) and strip_titles(label) == label:
        outlet = label
    if outlet:
        return outlet, JOURNALIST, outlet, rest
    return None


def _briefing_date(title: str, root: lxml.html.HtmlElement, body: lxml.html.HtmlElement) -> str:
    stated = parse_date(title)
    if stated:
        return stated
    stamps = sorted(date(int(y), int(m), int(d)) for src in body.xpath(".//img/@src")
                    for y, m, d in _UPLOAD_STAMP.findall(src) if _valid(y, m, d))
    linked = sorted(date.fromisoformat(iso) for a in root.iter("a")
                    for iso in find_dates(a.text_content()))
    evidence = stamps or linked
    if not evidence:
        raise ReadError(f"no date in the title '{title}' and none on the page to infer it from")
    day = month_day(title)
    if day is None:
        return (stamps[0] if stamps else linked[-1]).isoformat()
    candidates = [date(year, *day) for year in {e.year + k for e in evidence for k in (-1, 0, 1)}
                  if _valid(year, *day)]
    if not candidates:
        raise ReadError(f"the title '{title}' names a day that does not exist")
    return min(candidates, key=lambda c: min(abs((c - e).days) for e in evidence)).isoformat()


def _valid(year: int | str, month: int | str, day: int | str) -> bool:
    try:
        date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def _location(path: Path) -> str:
    """The page's original URL from a URLS.tsv beside it, else its path."""
    return _urls(path.parent.resolve()).get(path.name, str(path))


@lru_cache(maxsize=64)
def _urls(folder: Path) -> dict[str, str]:
    index = folder / "URLS.tsv"
    if not index.is_file():
        return {}
    urls: dict[str, str] = {}
    for line in index.read_text(encoding="utf-8", errors="replace").splitlines():
        name, _, url = line.partition("\t")
        if name.strip() and url.strip():
            urls[name.strip()] = url.strip()
    return urls
