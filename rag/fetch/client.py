"""The polite HTTP client: one request at a time, retried when it may pass, never off-site.

Requests go out `fetch.delay_s` apart with an identifying User-Agent; 429 (honouring
Retry-After), 5xx and timeouts are retried with exponential backoff; a page saved before is asked
for conditionally (If-None-Match / If-Modified-Since). Redirects are followed only on the host
first asked. What cannot be fetched raises FetchError with the reason.
"""
from __future__ import annotations

import email.utils
import gzip
import http.client
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.error import HTTPError, URLError
from urllib.parse import urljoin, urlsplit
from urllib.request import HTTPRedirectHandler, Request, build_opener

import lxml.etree
import lxml.html

from rag.config import FetchSettings
from rag.errors import BriefingsError
from rag.fetch.sites import same_host

_REDIRECTS = {301, 302, 303, 307, 308}
_MAX_REDIRECTS = 5
_HTML_TYPES = ("text/html", "application/xhtml+xml")


class FetchError(BriefingsError):
    """A URL that could not be fetched as asked. The message is the reason, one line."""

    def __init__(self, reason: str, url: str = "") -> None:
        super().__init__(reason)
        self.url = url


@dataclass
class Response:
    """One answer to a GET."""

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

    def __init__(self, settings: FetchSettings) -> None:
        self.user_agent = settings.user_agent
        self.delay = settings.delay_s
        self.timeout = settings.timeout_s
        self.retries = settings.retries
        self.backoff = settings.backoff_s
        self.max_wait = settings.max_wait_s
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


def require_html(response: Response) -> None:
    """Raise FetchError unless the answer says it is an HTML page."""
    kind = response.headers.get("content-type", "")
    if kind.split(";")[0].strip().lower() not in _HTML_TYPES:
        raise FetchError(f"not an HTML page (Content-Type: {kind or 'none'})")


def parse_html(body: bytes, url: str) -> lxml.html.HtmlElement:
    """The page's document tree (links resolve against `url`); FetchError when unparseable."""
    try:
        return lxml.html.document_fromstring(body, base_url=url)
    except (ValueError, lxml.etree.ParserError) as err:
        raise FetchError(f"not parseable as HTML ({err})") from None
