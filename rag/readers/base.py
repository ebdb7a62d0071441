"""The reader contract: what every reader module provides, what it is given, what it raises.

A reader module (one per publisher family) provides `sniff` and `read` as `Reader` describes,
and raises ReadError (or NotATranscript) with a one-line reason when it cannot.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rag.errors import BriefingsError
from rag.records import Briefing


class ReadError(BriefingsError):
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


class Reader(Protocol):
    """A reader module: it recognises its format and turns a document's pages into briefings."""

    def sniff(self, path: Path, text: str) -> bool:
        """Whether the first page of a document is in this reader's format."""

    def read(self, pages: list[Page]) -> list[Briefing]:
        """The briefings of one document (all its numbered pages, in order)."""


# SCIO splits long briefings over pages content_<id>.htm, content_<id>_2.htm, ...
_PAGED = re.compile(r"^(?P<stem>.+?)_(?P<page>\d{1,3})$")


def page_key(path: Path) -> tuple[str, int]:
    """(document stem, page number) for SCIO-style numbered pages; page 1 otherwise."""
    stem = path.stem
    m = _PAGED.match(stem)
    if m and stem.startswith("content_"):
        return str(path.with_name(m.group("stem"))), int(m.group("page"))
    return str(path.with_name(stem)), 1


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
