"""The fetch run: the briefings at some URLs, downloaded, checked with the readers and saved.

A URL is a transcript (rag.fetch.sites tells which) or a list page: the transcripts a list links
are fetched, and its "next page" link is followed until the linked briefings are older than
`since` (or `max_briefings` is reached). A briefing is checked with the readers before it is
written, and its pages are written only when all of them arrived (each page atomically, its
sidecar last), so an interrupted run never leaves half a briefing for ingest and resumes where it
left. The run prints nothing: it returns a FetchReport, and shows a tqdm bar only when asked.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

from tqdm import tqdm

from rag.config import Settings
from rag.errors import Problem, problem_lines
from rag.fetch.client import Client, FetchError, parse_html, require_html
from rag.fetch.listing import list_targets, next_list_page, scio_pages
from rag.fetch.save import (record_urls, saved_path, saved_validators, sidecar_record,
                            write_page, write_sidecar)
from rag.fetch.sites import Target, transcript_target
from rag.fetch.whitehouse import whitehouse_markdown
from rag.readers import NotATranscript, ReadError, read_group
from rag.records import SCIO, WHITEHOUSE

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

    def summary_lines(self, into: Path) -> list[str]:
        """What a person reads after a fetch into `into`: the counts, one line per problem."""
        return [self.summary(),
                *problem_lines([("skipped", self.skipped), ("FAILED", self.failed)]),
                f"saved under {into}"]

    def as_dict(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if not isinstance(v, list)}
        data["skipped"] = [p.as_dict("url") for p in self.skipped]
        data["failed"] = [p.as_dict("url") for p in self.failed]
        data["saved_paths"] = [str(p) for p in self.saved_paths]
        return data


@dataclass
class _Page:
    url: str
    path: Path
    data: bytes        # what is (or will be) saved
    record: dict       # the sidecar
    changed: bool


class _Fetcher:
    """One fetch run: its client, the folder it saves into, and the report it fills."""

    def __init__(self, into: Path, since: str | None, settings: Settings,
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
        limit = self.settings.fetch.max_list_pages
        while page and page not in visited and len(visited) < limit:
            visited.add(page)
            try:
                response = self.client.get(page)
                require_html(response)
                doc = parse_html(response.body, response.url)
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
                if saved_validators(page.path) != page.record:
                    write_sidecar(page.path, page.record)
            return
        if self.since and when < self.since:
            self.report.skipped.append(Problem(target.url, f"dated {when}, before --since "
                                                           f"{self.since}"))
            return
        for page in changed:
            write_page(page.path, page.data, page.record)
            self.report.saved_paths.append(page.path)
        folders: dict[Path, dict[str, str]] = {}
        for page in pages:
            folders.setdefault(page.path.parent, {})[page.path.name] = page.url
        for folder, urls in folders.items():
            record_urls(folder, urls)
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
                    doc = parse_html(page.data, page.url)
                except FetchError as err:
                    raise FetchError(str(err), page.url) from None
                for n, url in scio_pages(doc, target.url).items():
                    todo.setdefault(n, url)
        return [pages[n] for n in sorted(pages)]

    def _page(self, url: str, family: str) -> _Page:
        path = saved_path(self.into, url, family)
        saved = saved_validators(path)
        try:
            response = self.client.get(url, saved)
            if response.status == 304:
                if saved is None:
                    raise FetchError("HTTP 304 Not Modified to an unconditional request")
                return _Page(url, path, path.read_bytes(), saved, changed=False)
            require_html(response)
            data = (whitehouse_markdown(parse_html(response.body, response.url), response.url)
                    if family == WHITEHOUSE else response.body)
        except FetchError as err:
            raise FetchError(str(err), url) from None
        record = sidecar_record(url, response, data, saved)
        on_disk = path.read_bytes() if path.is_file() else None
        return _Page(url, path, data, record, changed=data != on_disk)

    def _check(self, pages: list[_Page]) -> str:
        """The briefing's date, read from the pages as ingest will read them; raises
        NotATranscript / ReadError with the reason when they are not a readable transcript."""
        max_bytes = int(self.settings.ingest.max_file_mb * 1_000_000)
        with tempfile.TemporaryDirectory(prefix="briefings-fetch-") as tmp:
            staged = []
            for page in pages:  # the same relative paths: readers may look at folder names
                path = Path(tmp) / page.path.relative_to(self.into)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(page.data)
                staged.append(path)
            document = read_group(staged, max_bytes)
        return min(b.date for b in document.briefings)


def fetch(urls: list[str], into: Path, since: str | None = None,
          max_briefings: int | None = None, *, settings: Settings,
          progress: bool = True) -> FetchReport:
    """Fetch the briefings at `urls` (transcripts or lists of them) into the folder `into`,
    dated `since` (ISO) or later, at most `max_briefings`. With `progress`, a tqdm bar on
    stderr counts the briefings; nothing else is printed."""
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
