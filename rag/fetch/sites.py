"""Which addresses are transcripts, and of which publisher: the fetcher's URL rules.

    SCIO        .../content_<id>.htm (and its numbered pages content_<id>_2.htm, ...)
    MFA         .../t<id>.shtml (newer: t<yyyymmdd>_<id>.html)
    White House .../briefing-room/<section>/<yyyy>/<mm>/<dd>/<slug>/
                (2025 site: .../briefings-statements/<yyyy>/<mm>/<slug>/)

Any other address is taken for a list page of briefings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import unquote, urljoin, urlsplit

from rag.records import MFA, SCIO, WHITEHOUSE
from rag.text.dates import find_dates

SCIO_PAGE = re.compile(r"^content_(?P<id>\d+)(?:_(?P<page>\d+))?\.(?P<ext>html?)$", re.I)
_MFA_PAGE = re.compile(r"^t\d+(?:_\d+)?\.s?html$", re.I)
WH_PAGE = re.compile(r"/(?:briefing-room/(?:[\w-]+/)*(?P<section>[\w-]+)|"
                     r"(?P<statements>briefings-statements))/(?P<y>\d{4})/(?P<m>\d{2})/"
                     r"(?:(?P<d>\d{2})/)?(?P<slug>[\w-]+)/?$")
# Dates written in addresses: SCIO /2024-07/05/, White House /2024/01/03/, MFA t20240510_...
_URL_DATES = (re.compile(r"/(\d{4})-(\d{2})/(\d{2})/"), re.compile(r"/(\d{4})/(\d{2})/(\d{2})/"),
              re.compile(r"/t(\d{4})(\d{2})(\d{2})_\d+\.s?html$"))


@dataclass(frozen=True)
class Target:
    """One briefing to fetch: the address of its first page, and what its link said."""

    url: str
    family: str
    date: str | None = None
    title: str = ""


def filename(url: str) -> str:
    """The last segment of the address's path, unquoted: content_123_2.htm."""
    return unquote(urlsplit(url).path).rsplit("/", 1)[-1]


def url_date(url: str) -> str | None:
    """The date written in the address (ISO), or None when it shows none."""
    path = urlsplit(url).path
    for pattern in _URL_DATES:
        m = pattern.search(path)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
            except ValueError:
                continue
    return None


def transcript_target(url: str, link_text: str = "") -> Target | None:
    """The briefing `url` is a page of, or None when it is not a transcript address."""
    name = filename(url)
    when = url_date(url) or next(iter(find_dates(link_text)), None)
    title = " ".join(link_text.split())
    if m := SCIO_PAGE.match(name):
        first = urljoin(url, f"content_{m.group('id')}.{m.group('ext')}")
        return Target(first, SCIO, when, title)
    if _MFA_PAGE.match(name):
        return Target(url.split("#")[0], MFA, when, title)
    if WH_PAGE.search(urlsplit(url).path):
        return Target(url.split("#")[0], WHITEHOUSE, when, title)
    return None


def same_host(a: str, b: str) -> bool:
    """Same publisher: the same host name and port."""
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.hostname or "").lower() == (pb.hostname or "").lower() and pa.port == pb.port
