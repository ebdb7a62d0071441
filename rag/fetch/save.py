"""The corpus folder the fetcher writes: saved pages, their sidecars, and URLS.tsv.

Saved files are what a person would save by hand, so ingest reads them the same way: raw pages
under <into>/<host>/<path on the site> (SCIO pages keep content_<id>_N.htm, MFA pages
t<id>.shtml), and a URLS.tsv per folder mapping file name -> URL. A White House page is saved as
Markdown in <into>/<host>/<section>/<yyyy-mm>/<yyyy-mm-dd>-<slug>.md. Beside each page,
<name>.json (a sidecar; ingest reads no .json) records url, fetched_at, status, etag,
last_modified and the sha256 of the saved bytes: the validators of the next conditional request.
"""
from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlsplit

from rag.fetch.client import Response
from rag.fetch.sites import WH_PAGE
from rag.files import write_atomic
from rag.records import WHITEHOUSE

# What makes a sidecar worth rewriting when the page's bytes did not change.
_VALIDATORS = ("sha256", "etag", "last_modified")


def _safe(segment: str) -> str:
    segment = re.sub(r"[^\w.-]", "_", segment)
    return "_" if segment in ("", ".", "..") else segment


def saved_path(into: Path, url: str, family: str) -> Path:
    """Where the page at `url` is saved: <into>/<host>/<path on the site>, or for the White
    House <into>/<host>/<section>/<yyyy-mm>/<yyyy-mm-dd>-<slug>.md (the corpus layout)."""
    parts = urlsplit(url)
    host = _safe(parts.hostname or "site")
    wh = WH_PAGE.search(parts.path) if family == WHITEHOUSE else None
    if wh:
        month = f"{wh['y']}-{wh['m']}"
        name = f"{month}-{wh['d']}-{wh['slug']}" if wh["d"] else wh["slug"]
        section = wh["section"] or wh["statements"]
        return into / host / _safe(section) / month / f"{_safe(name)}.md"
    return into.joinpath(host, *(_safe(s) for s in unquote(parts.path).split("/") if s))


def sidecar_of(path: Path) -> Path:
    """The sidecar of the saved page at `path`: <name>.json beside it."""
    return path.with_name(path.name + ".json")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def saved_validators(path: Path) -> dict | None:
    """The sidecar of a saved page, when the page on disk is still the one it describes."""
    try:
        record = json.loads(sidecar_of(path).read_text(encoding="utf-8"))
        return record if record.get("sha256") == _sha256(path.read_bytes()) else None
    except (OSError, ValueError):
        return None


def sidecar_record(url: str, response: Response, data: bytes, saved: dict | None) -> dict:
    """The sidecar for `data`, fetched from `url` as `response`; the `saved` one itself when
    nothing in it would change but the time (so an unchanged page's sidecar is not rewritten)."""
    record = {"url": url,
              "fetched_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "status": response.status, "etag": response.headers.get("etag"),
              "last_modified": response.headers.get("last-modified"), "sha256": _sha256(data)}
    if saved is not None and all(saved.get(k) == record[k] for k in _VALIDATORS):
        return saved
    return record


def write_sidecar(path: Path, record: dict) -> None:
    """Write the sidecar of the page at `path` (atomically)."""
    write_atomic(sidecar_of(path), (json.dumps(record, indent=2) + "\n").encode("utf-8"))


def write_page(path: Path, data: bytes, record: dict) -> None:
    """Write a page, then its sidecar (last: a kill in between leaves no sidecar that matches
    the page, so the next run asks for it unconditionally)."""
    write_atomic(path, data)
    write_sidecar(path, record)


def record_urls(folder: Path, urls: dict[str, str]) -> None:
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
