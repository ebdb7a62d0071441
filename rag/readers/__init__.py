"""Readers: files on disk -> Briefing records. One module per source family.

`read_group` takes the files of one document (a single file, or the numbered pages of one
SCIO briefing, see `group_files`), decodes them, detects the format and hands them to the
reader whose `sniff` accepts them. Every reader module provides:

    sniff(path: Path, text: str) -> bool
    read(pages: list[Page]) -> list[Briefing]

and raises ReadError (or NotATranscript) with a one-line reason when it cannot.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rag.records import Briefing


class ReadError(Exception):
    """A file that cannot be read as a transcript. The message is the reason, one line."""


class NotATranscript(ReadError):
    """A readable file that is not a transcript (a list page, a site page, ...)."""


@dataclass
class Page:
    """One decoded file of a document."""

    path: Path
    text: str


@dataclass
class Document:
    """What the readers made of one group of files."""

    paths: list[Path]
    briefings: list[Briefing] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# Bump when a reader's output changes: the next ingest re-reads every file (no re-embedding
# of unchanged passages).
READERS_VERSION = 4

SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".shtml", ".jsonl", ".csv"}

# SCIO splits long briefings over pages content_<id>.htm, content_<id>_2.htm, ...
_PAGED = re.compile(r"^(?P<stem>.+?)_(?P<page>\d{1,3})$")


def page_key(path: Path) -> tuple[str, int]:
    """(document stem, page number) for SCIO-style numbered pages; page 1 otherwise."""
    stem = path.stem
    m = _PAGED.match(stem)
    if m and stem.startswith("content_"):
        return str(path.with_name(m.group("stem"))), int(m.group("page"))
    return str(path.with_name(stem)), 1


def group_files(paths: list[Path]) -> list[list[Path]]:
    """Group numbered pages of one briefing together, in page order; other files alone."""
    groups: dict[tuple[str, str], list[tuple[int, Path]]] = {}
    for path in paths:
        stem, page = page_key(path)
        groups.setdefault((stem, path.suffix.lower()), []).append((page, path))
    return [[p for _, p in sorted(members)] for _, members in sorted(groups.items())]


def decode(path: Path, data: bytes, warnings: list[str]) -> str:
    """Bytes -> text. Binary files are refused; invalid UTF-8 is decoded with the page's declared
    charset when it has one, else with replacement characters and a warning (nothing dropped)."""
    if not data.strip():
        raise ReadError("empty file")
    if b"\x00" in data[:8192]:
        raise ReadError("binary file (NUL bytes), not a text transcript")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        declared = re.search(rb"charset=[\"']?([A-Za-z0-9_-]+)", data[:4096])
        if declared:
            try:
                return data.decode(declared.group(1).decode("ascii"))
            except (LookupError, UnicodeDecodeError):
                pass
        bad = data.decode("utf-8", errors="replace").count("\ufffd")
        warnings.append(f"not valid UTF-8 (first bad byte at offset {err.start}); "
                        f"{bad} byte(s) replaced with U+FFFD")
        return data.decode("utf-8", errors="replace")


def _reader_modules() -> list:
    # Imported here so each reader module stays importable (and testable) on its own.
    from rag.readers import mfa, plain, scio, table, whitehouse
    # Order matters: the specific site formats before the generic ones.
    return [mfa, scio, whitehouse, table, plain]


def read_group(paths: list[Path], max_bytes: int) -> Document:
    """Read the files of one document into Briefings. Raises ReadError with the reason."""
    doc = Document(paths=list(paths))
    pages: list[Page] = []
    for path in paths:
        if path.suffix.lower() not in SUFFIXES:
            raise ReadError(f"unsupported file type '{path.suffix}' (expected one of "
                            f"{', '.join(sorted(SUFFIXES))})")
        size = path.stat().st_size
        if size > max_bytes:
            raise ReadError(f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB "
                            "limit (ingest.max_file_mb in config.yaml)")
        pages.append(Page(path, decode(path, path.read_bytes(), doc.warnings)))
    for module in _reader_modules():
        if module.sniff(pages[0].path, pages[0].text):
            doc.briefings = module.read(pages)
            break
    else:
        raise NotATranscript("no transcript format recognised (no 'Name:' speaker turns)")
    for briefing in doc.briefings:
        if not briefing.date:
            raise ReadError(f"no date found for briefing '{briefing.title or briefing.id}'")
        if not briefing.turns:
            raise NotATranscript(f"no speaker turns found in '{briefing.title or briefing.id}'")
    return doc
