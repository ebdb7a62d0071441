"""`briefings fetch` against a local HTTP server serving fictional pages shaped like each site
(tests/fixtures/sites), with faults: rate limiting, server errors, a slow page, redirects, 404,
a non-HTML answer. Nothing here reaches the internet."""
from __future__ import annotations

import email.utils
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rag import cli, config
from rag.fetch.run import FetchReport, fetch
from rag.fetch.save import sidecar_of
from rag.store import open_index
from rag.ingest.run import ingest

from conftest import FIXTURES

SITES = FIXTURES / "sites"
SCIO_DIR = "/scio/pressroom/2031-07/05/"
SCIO_FIRST = SCIO_DIR + "content_51000001.htm"
SCIO_PAGES = [SCIO_FIRST] + [f"{SCIO_DIR}content_51000001_{n}.htm" for n in range(2, 12)]
MFA_DIR = "/mfa/mfa_eng/xwfw_665399/s2510_665401/2511_665403/"
WH_PAGE = ("/whitehouse/briefing-room/press-briefings/2031/03/04/"
           "press-briefing-by-press-secretary-avery-lindqvist-march-4-2031/")
TITLE = "SCIO briefing on coastal fisheries modernization: Ministry of Tidal Resources"


class Site(ThreadingHTTPServer):
    """Serves tests/fixtures/sites with ETag / Last-Modified (and 304s), plus fault routes."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.log: list[tuple[str, dict[str, str], float]] = []  # (path, headers, time)
        self.fail: set[str] = set()       # paths answered 500 for now
        self.flaky_left = 0               # 429s still to send on /faults/flaky/

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def requests_to(self, path: str) -> list[dict[str, str]]:
        return [headers for p, headers, _ in self.log if p == path]


class _Handler(BaseHTTPRequestHandler):
    server: Site

    def log_message(self, *args) -> None:  # quiet test output
        pass

    def _answer(self, status: int, body: bytes = b"", kind: str = "text/html; charset=utf-8",
                **headers: str) -> None:
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def do_GET(self) -> None:
        site = self.server
        path = self.path.split("?")[0]
        site.log.append((path, dict(self.headers.items()), time.monotonic()))
        mfa_page = (SITES / MFA_DIR.strip("/") / "t3000001.shtml").read_bytes()
        if path in site.fail or path == "/faults/broken/t4000002.shtml":
            return self._answer(500, b"<html><body>Internal error</body></html>")
        if path == "/faults/flaky/t4000001.shtml":
            if site.flaky_left > 0:
                site.flaky_left -= 1
                return self._answer(429, b"slow down", Retry_After="1")
            return self._answer(200, mfa_page)
        if path == "/faults/patient/t4000007.shtml":
            return self._answer(429, b"slow down", Retry_After="3600")
        if path == "/faults/slow/t4000003.shtml":
            time.sleep(1.5)
            return self._answer(200, mfa_page)
        if path == "/faults/moved/t4000004.shtml":
            port = site.server_address[1]
            return self._answer(302, Location=f"http://localhost:{port}{MFA_DIR}t3000001.shtml")
        if path == "/faults/relocated/t4000008.shtml":
            return self._answer(301, Location=f"{MFA_DIR}t3000002.shtml")
        if path == "/faults/pdf/t4000006.shtml":
            return self._answer(200, b"%PDF-1.4 fictional", kind="application/pdf")
        file = SITES / path.lstrip("/")
        if path.endswith("/"):
            file = file / "index.html"
        if ".." in path or not file.is_file():
            return self._answer(404, b"<html><body>Not found</body></html>")
        body = file.read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        modified = email.utils.formatdate(int(file.stat().st_mtime), usegmt=True)
        since = self.headers.get("If-Modified-Since")
        if self.headers.get("If-None-Match") == etag or (
                since and email.utils.parsedate_to_datetime(since).timestamp()
                >= int(file.stat().st_mtime)):
            return self._answer(304, ETag=etag, Last_Modified=modified)
        self._answer(200, body, ETag=etag, Last_Modified=modified)


@pytest.fixture
def site():
    server = Site()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def fast_settings(**fetch_settings) -> config.Settings:
    """The project's settings with retries and delays made short for tests."""
    return config.with_overrides(config.load(), {"fetch": {
        "delay_s": 0, "timeout_s": 0.5, "retries": 2, "backoff_s": 0.01, "max_wait_s": 5,
        **fetch_settings}})


def run_fetch(site: Site, paths: list[str], into: Path, **kwargs) -> FetchReport:
    return fetch([site.base + p for p in paths], into, settings=fast_settings(), progress=False,
                 **kwargs)


def saved_transcripts(into: Path) -> list[str]:
    """Saved page files (not sidecars, not URLS.tsv), relative to `into`."""
    return sorted(str(p.relative_to(into)) for p in into.rglob("*")
                  if p.is_file() and p.suffix not in {".json", ".tsv"})


def test_scio_briefing_is_fetched_in_page_order_and_ingests_as_one(site, tmp_path):
    into = tmp_path / "corpus"
    # Any page of the briefing stands for the whole briefing.
    report = run_fetch(site, [SCIO_DIR + "content_51000001_4.htm"], into)
    assert (report.briefings, report.pages, report.failed, report.skipped) == (1, 11, [], [])
    folder = into / "127.0.0.1" / SCIO_DIR.strip("/")
    names = ["content_51000001.htm"] + [f"content_51000001_{n}.htm" for n in range(2, 12)]
    assert saved_transcripts(into) == sorted(str(folder.relative_to(into) / n) for n in names)
    assert report.saved_paths == [folder / n for n in names]
    # Pages are requested in page order although each navigator shows only nearby pages.
    assert [p for p, _, _ in site.log] == SCIO_PAGES
    assert all(h["User-Agent"] == config.load().fetch.user_agent for _, h, _ in site.log)
    sidecar = json.loads(sidecar_of(folder / "content_51000001_7.htm").read_text())
    assert sidecar["url"] == site.base + SCIO_DIR + "content_51000001_7.htm"
    assert sidecar["status"] == 200 and sidecar["etag"] and sidecar["last_modified"]
    urls = dict(line.split("\t") for line in (folder / "URLS.tsv").read_text().splitlines())
    assert urls["content_51000001_11.htm"] == site.base + SCIO_DIR + "content_51000001_11.htm"

    index = open_index(tmp_path / "index", create=True)
    ingested = ingest([into], index, progress=False)
    # Sidecars and URLS.tsv are not read as transcripts: one document, nothing skipped.
    assert (ingested.documents, ingested.briefings, ingested.failed, ingested.skipped) == \
        (1, 1, [], [])
    conn = index.store.conn
    assert [r[0] for r in conn.execute("SELECT title FROM briefings")] == [TITLE]
    turns = conn.execute("SELECT page, text FROM turns ORDER BY ord").fetchall()
    pages = [page for page, _ in turns]
    assert pages == sorted(pages) and set(pages) == set(range(1, 12))
    for n in range(2, 12):  # each page's question and answer, in order, on its own page
        asked = [i for i, (_, text) in enumerate(turns) if text.startswith(f"Question on page {n}:")]
        answered = [i for i, (_, text) in enumerate(turns) if text.startswith(f"Answer on page {n}:")]
        assert len(asked) == 1 and answered == [asked[0] + 1] and turns[asked[0]][0] == n
    # The answer split by the page break stays one turn; the repeated header is in no turn.
    split = next(text for _, text in turns if text.startswith("Answer on page 5:"))
    assert split.endswith("which the page break split in two.")
    texts = "\n".join(text for _, text in turns)
    assert TITLE not in texts and "State Council Information Office held" not in texts
    assert "July 20, 2031" not in texts and "Press Room" not in texts
    index.close()


def test_second_run_makes_only_conditional_requests_and_saves_nothing(site, tmp_path):
    into = tmp_path / "corpus"
    urls = [SCIO_FIRST, MFA_DIR + "t3000004.shtml", WH_PAGE]
    first = run_fetch(site, urls, into)
    assert (first.briefings, first.pages, first.not_modified, first.failed) == (3, 13, 0, [])
    wh_file = into / "127.0.0.1/press-briefings/2031-03/2031-03-04-press-briefing-by-press-" \
                     "secretary-avery-lindqvist-march-4-2031.md"
    assert wh_file.read_text().startswith("---\ndate: '2031-03-04'\ntitle: Press Briefing by")
    stamps = {p: p.stat().st_mtime_ns for p in into.rglob("*")}
    site.log.clear()

    second = run_fetch(site, urls, into)
    assert (second.briefings, second.pages, second.unchanged, second.not_modified) == (0, 0, 3, 13)
    assert (second.saved_paths, second.failed, second.requests) == ([], [], 13)
    assert len(site.log) == 13
    assert all("If-None-Match" in h and "If-Modified-Since" in h for _, h, _ in site.log)
    assert {p: p.stat().st_mtime_ns for p in into.rglob("*")} == stamps
    assert second.summary().startswith("0 briefings fetched (0 pages), 3 unchanged "
                                       "(13 pages not modified), 0 skipped, 0 failed")


def test_list_pages_follow_next_page_until_since_and_never_leave_the_host(site, tmp_path):
    into = tmp_path / "corpus"
    report = run_fetch(site, [MFA_DIR + "default.shtml"], into)
    assert (report.briefings, report.failed, report.skipped) == (4, [], [])
    assert [Path(p).name for p, _, _ in site.log] == [
        "default.shtml", "t3000004.shtml", "t3000003.shtml",
        "default_1.shtml", "t3000002.shtml", "t3000001.shtml"]
    assert all(h["Host"].startswith("127.0.0.1") for _, h, _ in site.log)

    # The first list page already links a briefing older than --since: its next page is not read.
    site.log.clear()
    report = run_fetch(site, [MFA_DIR + "default.shtml"], tmp_path / "recent", since="2031-08-14")
    assert report.briefings == 1 and [Path(p).name for p, _, _ in site.log] == [
        "default.shtml", "t3000004.shtml"]

    site.log.clear()
    report = run_fetch(site, [MFA_DIR + "default.shtml"], tmp_path / "capped", max_briefings=3)
    assert report.briefings == 3
    assert [Path(p).name for p, _, _ in site.log][-1] == "t3000002.shtml"


def test_scio_list_skips_pages_that_are_not_transcripts(site, tmp_path):
    report = run_fetch(site, ["/scio/pressroom/node_9100001.htm"], tmp_path)
    # The news article is refused by the readers and not saved; the briefing, linked twice
    # (page 1 and page 3), is fetched once with all its pages; the partner site is not touched.
    assert (report.briefings, report.pages, report.failed) == (1, 11, [])
    assert [(p.where, p.reason) for p in report.skipped] == [
        (site.base + "/scio/pressroom/2031-07/06/content_51000002.htm",
         "not a transcript: no transcript format recognised (no 'Name:' speaker turns)")]
    assert not any("51000002" in p for p in saved_transcripts(tmp_path))
    assert [p for p, _, _ in site.log] == ["/scio/pressroom/node_9100001.htm",
                                          "/scio/pressroom/2031-07/06/content_51000002.htm",
                                          *SCIO_PAGES]


def test_faults_get_a_clear_reason_each_and_the_run_finishes(site, tmp_path):
    site.flaky_left = 1
    faults = ["/faults/flaky/t4000001.shtml", "/faults/broken/t4000002.shtml",
              "/faults/slow/t4000003.shtml", "/faults/moved/t4000004.shtml",
              "/faults/missing/t4000005.shtml", "/faults/pdf/t4000006.shtml",
              "/faults/patient/t4000007.shtml", "/faults/relocated/t4000008.shtml",
              "/scio/pressroom/nothing-here.htm"]
    report = run_fetch(site, faults, tmp_path)
    reasons = {p.where.removeprefix(site.base): p.reason for p in report.failed}
    assert reasons == {
        "/faults/broken/t4000002.shtml":
            "HTTP 500 Internal Server Error (gave up after 3 tries)",
        "/faults/slow/t4000003.shtml":
            "timed out after 0.5 s (fetch.timeout_s) (gave up after 3 tries)",
        "/faults/moved/t4000004.shtml":
            f"redirected to another host (localhost:{site.server_address[1]}); not followed",
        "/faults/missing/t4000005.shtml": "HTTP 404 Not Found",
        "/faults/pdf/t4000006.shtml": "not an HTML page (Content-Type: application/pdf)",
        "/faults/patient/t4000007.shtml":
            "HTTP 429 Too Many Requests; the server asks to wait 3600 s, over fetch.max_wait_s (5 s)",
        "/scio/pressroom/nothing-here.htm": "HTTP 404 Not Found",
    }
    # 429 then success, waiting as Retry-After asks; a same-host redirect is followed.
    assert (report.briefings, report.skipped) == (2, [])
    flaky = [t for p, _, t in site.log if p == "/faults/flaky/t4000001.shtml"]
    assert len(flaky) == 2 and flaky[1] - flaky[0] >= 0.9
    assert len(site.requests_to("/faults/broken/t4000002.shtml")) == 3
    assert len(site.requests_to("/faults/patient/t4000007.shtml")) == 1
    assert not any(h["Host"].startswith("localhost") for _, h, _ in site.log)
    assert saved_transcripts(tmp_path) == ["127.0.0.1/faults/flaky/t4000001.shtml",
                                           "127.0.0.1/faults/relocated/t4000008.shtml"]
    assert report.summary().startswith("2 briefings fetched (2 pages), 0 unchanged "
                                       "(0 pages not modified), 0 skipped, 7 failed")


def test_a_page_that_is_neither_transcript_nor_list_is_an_error(site, tmp_path):
    # Its only transcript link is on another host, which does not count.
    report = run_fetch(site, ["/scio/about.htm"], tmp_path)
    assert [(p.where, p.reason) for p in report.failed] == [
        (site.base + "/scio/about.htm",
         "not a transcript, and links to none (not a list of briefings)")]
    assert [p for p, _, _ in site.log] == ["/scio/about.htm"]


def test_interrupted_briefing_saves_nothing_and_the_next_run_resumes(site, tmp_path):
    site.fail = {SCIO_DIR + "content_51000001_7.htm"}
    report = run_fetch(site, [SCIO_FIRST], tmp_path)
    assert [(p.where.removeprefix(site.base), p.reason) for p in report.failed] == [
        (SCIO_DIR + "content_51000001_7.htm",
         "HTTP 500 Internal Server Error (gave up after 3 tries)")]
    assert saved_transcripts(tmp_path) == []  # never half a briefing for ingest to read

    site.fail = set()
    assert run_fetch(site, [SCIO_FIRST], tmp_path).pages == 11
    # A kill between writing a page and its sidecar: that page is asked for unconditionally,
    # and the same bytes are not written again; the sidecar is restored.
    page = tmp_path / "127.0.0.1" / SCIO_DIR.strip("/") / "content_51000001_3.htm"
    sidecar_of(page).unlink()
    stamp = page.stat().st_mtime_ns
    site.log.clear()
    report = run_fetch(site, [SCIO_FIRST], tmp_path)
    assert (report.briefings, report.pages, report.not_modified, report.unchanged) == (0, 0, 11, 1)
    assert "If-None-Match" not in site.requests_to(SCIO_DIR + "content_51000001_3.htm")[0]
    assert page.stat().st_mtime_ns == stamp and sidecar_of(page).is_file()


def test_command_fetches_and_ingests(site, tmp_path, monkeypatch, capsys):
    settings = fast_settings()
    monkeypatch.setattr(config, "load", lambda *args: settings)
    url = site.base + MFA_DIR + "t3000004.shtml"
    assert cli.main(["fetch", url, "--into", str(tmp_path / "corpus"), "--ingest", "-q",
                     "--index", str(tmp_path / "index")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 briefings fetched (1 pages), 0 unchanged")
    assert f"saved under {tmp_path / 'corpus'}\n1 documents: 1 indexed, 0 unchanged" in out
    index = open_index(tmp_path / "index", settings=settings)
    # The URL recorded in URLS.tsv is the briefing's location, as for hand-saved MFA pages.
    assert [tuple(r) for r in index.store.conn.execute("SELECT date, location FROM briefings")] \
        == [("2031-08-14", url)]
    index.close()

    assert cli.main(["fetch", url, "--since", "last week"]) == 2
    assert capsys.readouterr().err == ("briefings: --since: expected a date like 2024-07-05, "
                                       "got 'last week'\n")
    assert cli.main(["fetch", "ftp://127.0.0.1/t1.shtml", "--into", str(tmp_path / "x"),
                     "-q"]) == 1
    assert "FAILED: ftp://127.0.0.1/t1.shtml: not an http(s) address" in capsys.readouterr().out
