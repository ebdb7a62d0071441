"""Fetch: download briefing transcripts from the publishers' sites into the corpus folder.

A URL is either a transcript or a list of transcripts, told apart by its address:

    SCIO        .../content_<id>.htm (and its numbered pages content_<id>_2.htm, ...)
    MFA         .../t<id>.shtml (newer: t<yyyymmdd>_<id>.html)
    White House .../briefing-room/<section>/<yyyy>/<mm>/<dd>/<slug>/
                (2025 site: .../briefings-statements/<yyyy>/<mm>/<slug>/)
    anything else is a list page: the transcripts it links are fetched, and its "next page"
    link is followed until the linked briefings are older than --since (or --max is reached).

Saved files are what a person would save by hand, so ingest reads them the same way: raw pages
under <into>/<host>/<path on the site> (SCIO pages keep content_<id>_N.htm, MFA pages
t<id>.shtml), and a URLS.tsv per folder mapping file name -> URL. A White House page is saved as
the White House corpus holds them: Markdown with front matter (date, title, source_url) in
<into>/<host>/<section>/<yyyy-mm>/<yyyy-mm-dd>-<slug>.md; its HTML is not kept. Beside each
page, <name>.json (a sidecar; ingest reads no .json) records url, fetched_at, status, etag,
last_modified and the sha256 of the saved bytes.

Politeness and robustness: one request at a time, `fetch.delay_s` apart, with an identifying
User-Agent; 429 (honouring Retry-After), 5xx and timeouts are retried with exponential backoff;
a page saved before is asked for conditionally (If-None-Match / If-Modified-Since), so a second
run downloads nothing new. Nothing leaves the publisher's host: off-site links are ignored and
an off-site redirect is an error. A briefing is checked with the readers before it is written,
and its pages are written only when all of them arrived (each page atomically, its sidecar
last), so an interrupted run never leaves half a briefing for ingest and resumes where it left.
"""
from __future__ import annotations

import argparse
import email.utils
import gzip
import hashlib
import http.client
import json
import re
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator
from urllib.error import HTTPError, URLError
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import HTTPRedirectHandler, Request, build_opener

import lxml.etree
import lxml.html
import yaml
from tqdm import tqdm

from rag import config
from rag.files import write_atomic
from rag.readers import NotATranscript, ReadError, read_group
from rag.readers.html import paragraphs
from rag.records import MFA, SCIO, WHITEHOUSE
from rag.text.dates import find_dates

# --- Addresses: which URLs are transcripts, and of which publisher --------------------------

_SCIO_PAGE = re.compile(r"^content_(?P<id>\d+)(?:_(?P<page>\d+))?\.(?P<ext>html?)$", re.I)
_MFA_PAGE = re.compile(r"^t\d+(?:_\d+)?\.s?html$", re.I)
_WH_PAGE = re.compile(r"/(?:briefing-room/(?:[\w-]+/)*(?P<section>[\w-]+)|"
                      r"(?P<statements>briefings-statements))/(?P<y>\d{4})/(?P<m>\d{2})/"
                      r"(?:(?P<d>\d{2})/)?(?P<slug>[\w-]+)/?$")
# Dates written in addresses: SCIO /2024-07/05/, White House /2024/01/03/, MFA t20240510_...
_URL_DATES = (re.compile(r"/(\d{4})-(\d{2})/(\d{2})/"), re.compile(r"/(\d{4})/(\d{2})/(\d{2})/"),
              re.compile(r"/t(\d{4})(\d{2})(\d{2})_\d+\.s?html$"))
_REDIRECTS = {301, 302, 303, 307, 308}
_MAX_REDIRECTS = 5
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_NEXT_TEXTS = {"next", "next page", "next»", "next >", "next>", ">", "›", "»", "下一页"}
# MFA list pages build their pager in JavaScript: "var currentPage = 0; ... var countPage = 13"
# (newer pages: createPageHTML(countPage, currentPage, "index", "html")).
_JS_PAGER = re.compile(r"var\s+currentPage\s*=\s*(?P<current>\d+).*?"
                       r"var\s+countPage\s*=\s*(?P<count>\d+)", re.S)
_JS_PAGER_CALL = re.compile(r"createPageHTML\(\s*(?P<count>\d+)\s*,\s*(?P<current>\d+)\s*,\s*"
                            r"[\"'](?P<name>\w+)[\"']\s*,\s*[\"'](?P<ext>\w+)[\"']")
_JS_FIRST_PAGE = re.compile(r"href=\\?[\"'](?P<name>\w+)\.(?P<ext>s?html?)\\?[\"']")
_NUMBERED = re.compile(r"^(?P<name>\w+?)(?:_\d+)?\.(?P<ext>s?html?)$")


class FetchError(Exception):
    """A URL that could not be fetched as asked. The message is the reason, one line."""

    def __init__(self, reason: str, url: str = "") -> None:
        super().__init__(reason)
        self.url = url


@dataclass(frozen=True)
class Target:
    """One briefing to fetch: the address of its first page, and what its link said."""

    url: str
    family: str
    date: str | None = None
    title: str = ""


def _filename(url: str) -> str:
    return unquote(urlsplit(url).path).rsplit("/", 1)[-1]


def _url_date(url: str) -> str | None:
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
    name = _filename(url)
    when = _url_date(url) or next(iter(find_dates(link_text)), None)
    title = " ".join(link_text.split())
    if m := _SCIO_PAGE.match(name):
        first = urljoin(url, f"content_{m.group('id')}.{m.group('ext')}")
        return Target(first, SCIO, when, title)
    if _MFA_PAGE.match(name):
        return Target(url.split("#")[0], MFA, when, title)
    if _WH_PAGE.search(urlsplit(url).path):
        return Target(url.split("#")[0], WHITEHOUSE, when, title)
    return None


def same_host(a: str, b: str) -> bool:
    """Same publisher: the same host name and port."""
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.hostname or "").lower() == (pb.hostname or "").lower() and pa.port == pb.port


# --- HTTP: one polite request at a time ----------------------------------------------------

@dataclass
class Response:
    url: str        # where the answer came from, after same-host redirects
    status: int     # 200, or 304 for a conditional request answered "not modified"
    headers: dict[str, str]
    body: bytes


class _NoRedirect(HTTPRedirectHandler):
    """Redirects come back as answers, so each one's host is checked before it is followed."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102
        return None


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.wait = wait


class Client:
    """GETs one URL at a time, `delay_s` apart, retrying what may pass."""

    def __init__(self, settings: config.Settings) -> None:
        self.user_agent = str(settings.user_agent)
        self.delay = float(settings.delay_s)
        self.timeout = float(settings.timeout_s)
        self.retries = int(settings.retries)
        self.backoff = float(settings.backoff_s)
        self.max_wait = float(settings.max_wait_s)
        self.requests = 0
        self._opener = build_opener(_NoRedirect)
        self._next_at = 0.0

    def get(self, url: str, validators: dict | None = None) -> Response:
        """The page at `url`, following redirects on its host; 304 when `validators` (etag,
        last_modified of the saved copy) still hold. Raises FetchError with the reason."""
        current = url
        for _ in range(_MAX_REDIRECTS + 1):
            response = self._with_retries(current, validators)
            if response.status not in _REDIRECTS:
                return response
            location = response.headers.get("location")
            if not location:
                raise FetchError(f"HTTP {response.status} redirect without a Location")
            target = urljoin(current, location)
            if not same_host(target, url):
                raise FetchError(f"redirected to another host ({urlsplit(target).netloc}); "
                                 "not followed")
            current = target
        raise FetchError(f"more than {_MAX_REDIRECTS} redirects")

    def _with_retries(self, url: str, validators: dict | None) -> Response:
        headers = {"User-Agent": self.user_agent, "Accept-Encoding": "gzip",
                   "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"}
        if validators and validators.get("etag"):
            headers["If-None-Match"] = validators["etag"]
        if validators and validators.get("last_modified"):
            headers["If-Modified-Since"] = validators["last_modified"]
        attempt = 0
        while True:
            self._wait_turn()
            try:
                return self._once(url, headers)
            except _Retry as retry:
                if attempt == self.retries:
                    tries = "try" if self.retries == 0 else "tries"
                    raise FetchError(f"{retry} (gave up after {self.retries + 1} {tries})") \
                        from None
                wait = self.backoff * 2 ** attempt
                if retry.wait is not None:
                    if retry.wait > self.max_wait:
                        raise FetchError(f"{retry}; the server asks to wait {retry.wait:.0f} s, "
                                         f"over fetch.max_wait_s ({self.max_wait:.0f} s)")
                    wait = retry.wait
                self._next_at = max(self._next_at, time.monotonic() + wait)
                attempt += 1

    def _wait_turn(self) -> None:
        pause = self._next_at - time.monotonic()
        if pause > 0:
            time.sleep(pause)

    def _once(self, url: str, headers: dict[str, str]) -> Response:
        self.requests += 1
        try:
            with self._opener.open(Request(url, headers=headers), timeout=self.timeout) as answer:
                body = answer.read()
                got = {k.lower(): v for k, v in answer.headers.items()}
                status = answer.status
        except HTTPError as err:
            got = {k.lower(): v for k, v in (err.headers or {}).items()}
            err.close()
            if err.code == 304 or err.code in _REDIRECTS:
                return Response(url, err.code, got, b"")
            if err.code == 429 or err.code >= 500:
                raise _Retry(f"HTTP {err.code} {err.reason}",
                             _retry_after(got.get("retry-after"))) from None
            raise FetchError(f"HTTP {err.code} {err.reason}") from None
        except (TimeoutError, URLError, ConnectionError, http.client.HTTPException) as err:
            reason = getattr(err, "reason", err)
            if isinstance(reason, TimeoutError) or isinstance(err, TimeoutError):
                raise _Retry(f"timed out after {self.timeout:g} s (fetch.timeout_s)") from None
            raise _Retry(f"connection failed ({reason})") from None
        finally:
            self._next_at = time.monotonic() + self.delay
        if got.get("content-encoding", "").lower() == "gzip":
            try:
                body = gzip.decompress(body)
            except (OSError, EOFError) as err:
                raise FetchError(f"broken gzip answer ({err})") from None
        return Response(url, status, got, body)


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds from now: a number of seconds or an HTTP date."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _require_html(response: Response) -> None:
    kind = response.headers.get("content-type", "")
    if kind.split(";")[0].strip().lower() not in _HTML_TYPES:
        raise FetchError(f"not an HTML page (Content-Type: {kind or 'none'})")


def _parse(body: bytes, url: str) -> lxml.html.HtmlElement:
    try:
        return lxml.html.document_fromstring(body, base_url=url)
    except (ValueError, lxml.etree.ParserError) as err:
        raise FetchError(f"not parseable as HTML ({err})") from None


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


# --- Sites: list pages and SCIO page navigators ---------------------------------------------

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
    script = "\n".join(s.text or "" for s in doc.iter("script"))
    if m := _JS_PAGER_CALL.search(script):
        name, ext = m.group("name"), m.group("ext")
    elif m := _JS_PAGER.search(script):
        own = _NUMBERED.match(_filename(url))
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
    m = _SCIO_PAGE.match(_filename(first))
    pages: dict[int, str] = {}
    if not m:
        return pages
    folder = first.rsplit("/", 1)[0]
    for link, _ in _links(doc, first):
        page = _SCIO_PAGE.match(_filename(link))
        if page and page.group("id") == m.group("id") and link.rsplit("/", 1)[0] == folder:
            pages[int(page.group("page") or 1)] = link
    return pages


# --- White House pages -> the Markdown of the White House corpus ----------------------------

_WH_BODY = ("//section[contains(concat(' ', normalize-space(@class), ' '), ' body-content ')]",
            "//div[contains(concat(' ', normalize-space(@class), ' '), ' entry-content ')]",
            "//article", "//main")


def whitehouse_markdown(doc: lxml.html.HtmlElement, url: str) -> bytes:
    """A White House briefing page as Markdown with front matter (date, title, source_url)."""
    meta = {m.get("property") or m.get("name"): m.get("content") or "" for m in doc.iter("meta")}
    title = meta.get("og:title") or next(
        (h.text_content() for h in doc.iter("h1") if h.text_content().strip()), "") or (
        doc.findtext(".//title") or "").split("|")[0]
    title = " ".join(title.split())
    published = meta.get("article:published_time") or next(
        iter(doc.xpath("//time/@datetime")), "")
    when = published[:10] if re.match(r"\d{4}-\d{2}-\d{2}", published) else _url_date(url)
    body = next((found[0] for xpath in _WH_BODY if (found := doc.xpath(xpath))), None)
    text = paragraphs(body) if body is not None else []
    if not (title and when and text):
        missing = [name for name, value in (("title", title), ("date", when),
                                            ("article text", text)) if not value]
        raise NotATranscript(f"no {', '.join(missing)} found on the White House page")
    front = {"date": when, "title": title, "source_url": url}
    if published:
        front["published_time"] = published
    head = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=10_000)
    return (f"---\n{head}---\n\n" + "\n\n".join(text) + "\n").encode("utf-8")


# --- The corpus folder: saved pages, sidecars, URLS.tsv -------------------------------------

def _safe(segment: str) -> str:
    segment = re.sub(r"[^\w.-]", "_", segment)
    return "_" if segment in ("", ".", "..") else segment


def saved_path(into: Path, url: str, family: str) -> Path:
    """Where the page at `url` is saved: <into>/<host>/<path on the site>, or for the White
    House <into>/<host>/<section>/<yyyy-mm>/<yyyy-mm-dd>-<slug>.md (the corpus layout)."""
    parts = urlsplit(url)
    host = _safe(parts.hostname or "site")
    wh = _WH_PAGE.search(parts.path) if family == WHITEHOUSE else None
    if wh:
        month = f"{wh['y']}-{wh['m']}"
        name = f"{month}-{wh['d']}-{wh['slug']}" if wh["d"] else wh["slug"]
        section = wh["section"] or wh["statements"]
        return into / host / _safe(section) / month / f"{_safe(name)}.md"
    return into.joinpath(host, *(_safe(s) for s in unquote(parts.path).split("/") if s))


def sidecar_of(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _saved_validators(path: Path) -> dict | None:
    """The sidecar of a saved page, when the page on disk is still the one it describes."""
    try:
        record = json.loads(sidecar_of(path).read_text(encoding="utf-8"))
        return record if record.get("sha256") == _sha256(path.read_bytes()) else None
    except (OSError, ValueError):
        return None


def _record_urls(folder: Path, urls: dict[str, str]) -> None:
    """Add file name -> URL lines to the folder's URLS.tsv (where readers find a page's URL)."""
    index = folder / "URLS.tsv"
    known: dict[str, str] = {}
    if index.exists():
        for line in index.read_text(encoding="utf-8").splitlines():
            name, _, url = line.partition("\t")
            if name and url:
                known[name] = url
    if any(known.get(name) != url for name, url in urls.items()):
        known.update(urls)
        write_atomic(index, "".join(f"{n}\t{u}\n" for n, u in sorted(known.items())).encode())


# --- Fetching briefings ---------------------------------------------------------------------

@dataclass
class Problem:
    url: str
    reason: str

    def __str__(self) -> str:
        return f"{self.url}: {self.reason}"


@dataclass
class FetchReport:
    """What a fetch did; `failed` makes the command exit non-zero."""

    briefings: int = 0          # briefings saved, new or changed
    pages: int = 0              # pages written
    unchanged: int = 0          # briefings already saved and unchanged
    not_modified: int = 0       # pages answered 304 (or sent again byte for byte): not written
    requests: int = 0           # HTTP requests made, retries and list pages included
    skipped: list[Problem] = field(default_factory=list)   # not transcripts, older than --since
    failed: list[Problem] = field(default_factory=list)    # could not be fetched
    saved_paths: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.briefings} briefings fetched ({self.pages} pages), {self.unchanged} "
                f"unchanged ({self.not_modified} pages not modified), {len(self.skipped)} "
                f"skipped, {len(self.failed)} failed; {self.requests} requests")

    def as_dict(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if not isinstance(v, list)}
        data["skipped"] = [p.__dict__ for p in self.skipped]
        data["failed"] = [p.__dict__ for p in self.failed]
        data["saved_paths"] = [str(p) for p in self.saved_paths]
        return data


@dataclass
class _Page:
    url: str
    path: Path
    data: bytes        # what is (or will be) saved
    record: dict       # the sidecar
    changed: bool


# What makes a sidecar worth rewriting when the page's bytes did not change.
_VALIDATORS = ("sha256", "etag", "last_modified")


class _Fetcher:
    def __init__(self, into: Path, since: str | None, settings: config.Settings,
                 report: FetchReport) -> None:
        self.into = into
        self.since = since
        self.settings = settings
        self.client = Client(settings.fetch)
        self.report = report

    def listed(self, url: str) -> Iterator[Target]:
        """The transcripts linked from the list at `url` and its next pages, newest first,
        until they are older than --since. Failures are reported, not raised."""
        visited: set[str] = set()
        page: str | None = url
        limit = int(self.settings.fetch.max_list_pages)
        while page and page not in visited and len(visited) < limit:
            visited.add(page)
            try:
                response = self.client.get(page)
                _require_html(response)
                doc = _parse(response.body, response.url)
            except FetchError as err:
                self.report.failed.append(Problem(page, str(err)))
                return
            targets = list_targets(doc, response.url)
            if not targets and page == url:
                self.report.failed.append(Problem(url, "not a transcript, and links to none "
                                                       "(not a list of briefings)"))
                return
            older = False
            for target in targets:
                if self.since and target.date and target.date < self.since:
                    older = True
                else:
                    yield target
            page = None if older else next_list_page(doc, response.url)

    def briefing(self, target: Target) -> None:
        """Fetch every page of one briefing; save them when one is new or changed."""
        try:
            pages = self._download(target)
            changed = [p for p in pages if p.changed]
            when = self._check(pages) if changed else ""
        except FetchError as err:
            self.report.failed.append(Problem(err.url or target.url, str(err)))
            return
        except NotATranscript as err:
            self.report.skipped.append(Problem(target.url, f"not a transcript: {err}"))
            return
        except ReadError as err:
            self.report.failed.append(Problem(target.url, f"not readable as a transcript: {err}"))
            return
        self.report.not_modified += len(pages) - len(changed)
        if not changed:
            self.report.unchanged += 1
            for page in pages:  # new validators for the same bytes: kept for the next run
                if _saved_validators(page.path) != page.record:
                    write_atomic(sidecar_of(page.path), _dump(page.record))
            return
        if self.since and when < self.since:
            self.report.skipped.append(Problem(target.url, f"dated {when}, before --since "
                                                           f"{self.since}"))
            return
        for page in pages:
            if page.changed:
                write_atomic(page.path, page.data)
                write_atomic(sidecar_of(page.path), _dump(page.record))
                self.report.saved_paths.append(page.path)
        folders: dict[Path, dict[str, str]] = {}
        for page in pages:
            folders.setdefault(page.path.parent, {})[page.path.name] = page.url
        for folder, urls in folders.items():
            _record_urls(folder, urls)
        self.report.briefings += 1
        self.report.pages += len(changed)

    def _download(self, target: Target) -> list[_Page]:
        """All pages of the briefing, in page order (a SCIO navigator may show only some page
        numbers, so each page's links are read before the next is chosen)."""
        todo = {1: target.url}
        pages: dict[int, _Page] = {}
        while missing := sorted(set(todo) - set(pages)):
            number = missing[0]
            page = self._page(todo[number], target.family)
            pages[number] = page
            if target.family == SCIO:
                try:
                    doc = _parse(page.data, page.url)
                except FetchError as err:
                    raise FetchError(str(err), page.url) from None
                for n, url in scio_pages(doc, target.url).items():
                    todo.setdefault(n, url)
        return [pages[n] for n in sorted(pages)]

    def _page(self, url: str, family: str) -> _Page:
        path = saved_path(self.into, url, family)
        saved = _saved_validators(path)
        try:
            response = self.client.get(url, saved)
            if response.status == 304:
                if saved is None:
                    raise FetchError("HTTP 304 Not Modified to an unconditional request")
                return _Page(url, path, path.read_bytes(), saved, changed=False)
            _require_html(response)
            data = (whitehouse_markdown(_parse(response.body, response.url), response.url)
                    if family == WHITEHOUSE else response.body)
        except FetchError as err:
            raise FetchError(str(err), url) from None
        record = {"url": url,
                  "fetched_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                  "status": response.status, "etag": response.headers.get("etag"),
                  "last_modified": response.headers.get("last-modified"), "sha256": _sha256(data)}
        if saved is not None and all(saved.get(k) == record[k] for k in _VALIDATORS):
            record = saved  # nothing new to remember: the sidecar stays as it is
        on_disk = path.read_bytes() if path.is_file() else None
        return _Page(url, path, data, record, changed=data != on_disk)

    def _check(self, pages: list[_Page]) -> str:
        """The briefing's date, read from the pages as ingest will read them; raises
        NotATranscript / ReadError with the reason when they are not a readable transcript."""
        max_bytes = int(float(self.settings.ingest.max_file_mb) * 1_000_000)
        with tempfile.TemporaryDirectory(prefix="briefings-fetch-") as tmp:
            staged = []
            for page in pages:  # the same relative paths: readers may look at folder names
                path = Path(tmp) / page.path.relative_to(self.into)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(page.data)
                staged.append(path)
            document = read_group(staged, max_bytes)
        return min(b.date for b in document.briefings)


def _dump(record: dict) -> bytes:
    return (json.dumps(record, indent=2) + "\n").encode("utf-8")


def fetch(urls: list[str], into: Path, since: str | None = None,
          max_briefings: int | None = None, settings: config.Settings | None = None,
          progress: bool = True) -> FetchReport:
    """Fetch the briefings at `urls` (transcripts or lists of them) into the folder `into`."""
    settings = settings or config.load()
    report = FetchReport()
    fetcher = _Fetcher(Path(into), since, settings, report)
    done: set[str] = set()
    with tqdm(total=max_briefings, desc="fetching", unit="briefing", disable=not progress) as bar:
        for url in urls:
            if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
                report.failed.append(Problem(url, "not an http(s) address"))
                continue
            single = transcript_target(url)
            for target in [single] if single else fetcher.listed(url):
                if max_briefings is not None and len(done) >= max_briefings:
                    break
                if target.url in done:
                    continue
                done.add(target.url)
                fetcher.briefing(target)
                bar.update(1)
                bar.set_postfix(saved=report.briefings, unchanged=report.unchanged,
                                failed=len(report.failed), refresh=False)
    report.requests = fetcher.client.requests
    return report


# --- Command line ---------------------------------------------------------------------------

def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `briefings fetch` (the caller adds --index)."""
    parser.add_argument("urls", nargs="+", metavar="URL",
                        help="a transcript page, or a list page of briefings (SCIO, MFA, "
                             "White House)")
    parser.add_argument("--into", help="corpus folder to save into (default: fetch.into in "
                                       "config.yaml)")
    parser.add_argument("--since", help="only briefings on or after this date (YYYY-MM-DD)")
    parser.add_argument("--max", dest="max_briefings", type=int, metavar="N",
                        help="fetch at most N briefings")
    parser.add_argument("--ingest", action="store_true",
                        help="then update the index with the corpus folder")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")


def run(args: argparse.Namespace) -> int:
    """`briefings fetch`: 0 when every URL was fetched (or was unchanged), else 1."""
    settings = config.load()
    since = None
    if args.since:
        try:
            since = date.fromisoformat(args.since).isoformat()
        except ValueError:
            raise ValueError(f"--since: expected a date like 2024-07-05, got '{args.since}'") \
                from None
    if args.max_briefings is not None and args.max_briefings < 1:
        raise ValueError("--max: expected a positive number of briefings")
    into = Path(args.into) if args.into else config.resolve_path(settings.fetch.into)
    report = fetch(args.urls, into, since, args.max_briefings, settings, not args.quiet)
    result = {"fetch": report.as_dict()}
    failed = bool(report.failed)
    if args.ingest:
        from rag.store.index import Index
        from rag.ingest.run import ingest
        index_dir = (Path(args.index) if getattr(args, "index", None)
                     else config.resolve_path(settings.index.dir))
        index = Index.open(index_dir, create=True, settings=settings)
        ingested = ingest([into], index, progress=not args.quiet)
        result["ingest"] = ingested.as_dict()
        failed = failed or bool(ingested.failed)
    if args.json:
        print(json.dumps(result, indent=2, default=str))
        return 1 if failed else 0
    print(report.summary())
    for label, problems in (("skipped", report.skipped), ("FAILED", report.failed)):
        for problem in problems:
            print(f"  {label}: {problem}")
    print(f"saved under {into}")
    if args.ingest:
        r = result["ingest"]
        print(f"ingest: {r['updated']} documents indexed, {r['unchanged']} unchanged, "
              f"{len(r['skipped'])} skipped, {len(r['failed'])} failed; {r['briefings']} "
              f"briefings added")
        for problem in r["failed"]:
            print(f"  FAILED: {problem['path']}: {problem['reason']}")
    return 1 if failed else 0
