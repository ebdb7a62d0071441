"""List pages: the transcripts a page of briefings links to, and the address of its next page.

Also the page navigator of a SCIO briefing, whose numbered pages are found the same way: by
reading the links on the page (only links to the page's own host count).
"""
from __future__ import annotations

import re
from typing import Iterator
from urllib.parse import urljoin, urlsplit

import lxml.html

from rag.fetch.sites import SCIO_PAGE, Target, filename, same_host, transcript_target
from rag.text.dates import find_dates

_NEXT_TEXTS = {"next", "next page", "next»", "next >", "next>", ">", "›", "»", "下一页"}
# MFA list pages build their pager in JavaScript: "var currentPage = 0; ... var countPage = 13"
# (newer pages: createPageHTML(countPage, currentPage, "index", "html")).
_JS_PAGER = re.compile(r"var\s+currentPage\s*=\s*(?P<current>\d+).*?"
                       r"var\s+countPage\s*=\s*(?P<count>\d+)", re.S)
_JS_PAGER_CALL = re.compile(r"createPageHTML\(\s*(?P<count>\d+)\s*,\s*(?P<current>\d+)\s*,\s*"
                            r"[\"'](?P<name>\w+)[\"']\s*,\s*[\"'](?P<ext>\w+)[\"']")
_JS_FIRST_PAGE = re.compile(r"href=\\?[\"'](?P<name>\w+)\.(?P<ext>s?html?)\\?[\"']")
_NUMBERED = re.compile(r"^(?P<name>\w+?)(?:_\d+)?\.(?P<ext>s?html?)$")


def _links(doc: lxml.html.HtmlElement, page: str) -> Iterator[tuple[str, lxml.html.HtmlElement]]:
    """(absolute URL, <a> element) of every link on the page at `page` to that page's host."""
    base = urljoin(page, next(iter(doc.xpath("//base/@href")), ""))
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.lower().startswith(("javascript:", "mailto:", "#")):
            continue
        url = urljoin(base, href).split("#")[0]
        if urlsplit(url).scheme in ("http", "https") and same_host(url, page):
            yield url, a


def list_targets(doc: lxml.html.HtmlElement, url: str) -> list[Target]:
    """The transcripts a list page links to, in page order, each with the date its link (or
    the list entry around it) shows."""
    found: dict[str, Target] = {}
    for link, a in _links(doc, url):
        text = a.text_content()
        target = transcript_target(link, text)
        if target is None or target.url in found:
            continue
        if target.date is None and a.getparent() is not None:
            # "<li><a>Title</a><span>2024-07-05</span></li>": the date sits beside the link.
            entry = a.getparent().text_content()
            target = Target(target.url, target.family, next(iter(find_dates(entry)), None),
                            target.title)
        found[target.url] = target
    return list(found.values())


def next_list_page(doc: lxml.html.HtmlElement, url: str) -> str | None:
    """The address of the list's next page, or None on its last page."""
    for link in doc.xpath("//link[@rel='next']/@href"):
        candidate = urljoin(url, link)
        if same_host(candidate, url):
            return candidate
    for link, a in _links(doc, url):
        classes = (a.get("class") or "").lower().split()
        text = "".join(a.text_content().split()).lower()
        if (a.get("rel") or "").lower() == "next" or "next" in classes or text in _NEXT_TEXTS:
            return link
    return _js_next_page(doc, url)


def _js_next_page(doc: lxml.html.HtmlElement, url: str) -> str | None:
    """The next page of a pager built in JavaScript (index.html, index_1.html, ...)."""
    script = "\n".join(s.text or "" for s in doc.iter("script"))
    if m := _JS_PAGER_CALL.search(script):
        name, ext = m.group("name"), m.group("ext")
    elif m := _JS_PAGER.search(script):
        own = _NUMBERED.match(filename(url))
        first = own or _JS_FIRST_PAGE.search(script)
        if not first:
            return None
        name, ext = first.group("name"), first.group("ext")
    else:
        return None
    following = int(m.group("current")) + 1
    return urljoin(url, f"{name}_{following}.{ext}") if following < int(m.group("count")) else None


def scio_pages(doc: lxml.html.HtmlElement, first: str) -> dict[int, str]:
    """Page number -> address of the pages of one SCIO briefing its navigator links to."""
    m = SCIO_PAGE.match(filename(first))
    pages: dict[int, str] = {}
    if not m:
        return pages
    folder = first.rsplit("/", 1)[0]
    for link, _ in _links(doc, first):
        page = SCIO_PAGE.match(filename(link))
        if page and page.group("id") == m.group("id") and link.rsplit("/", 1)[0] == folder:
            pages[int(page.group("page") or 1)] = link
    return pages
