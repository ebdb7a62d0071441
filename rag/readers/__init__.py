"""Readers: files on disk -> Briefing records. One module per source family.

`read_group` takes the files of one document (a single file, or the numbered pages of one
SCIO briefing, see `group_files`), decodes them, detects the format and hands them to the
reader whose `sniff` accepts them (the contract: rag.readers.base.Reader). ReadError,
NotATranscript, Page and Document are defined there and named here for callers.
"""
from __future__ import annotations

from pathlib import Path

from rag.readers.base import Document, NotATranscript, Page, Reader, ReadError, decode, page_key


# Bump when a reader's output changes: the next ingest re-reads every file (no re-embedding
# of unchanged passages).
READERS_VERSION = 4

SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".shtml", ".jsonl", ".csv"}

def group_files(paths: list[Path]) -> list[list[Path]]:
    """Group numbered pages of one briefing together, in page order; other files alone."""
    groups: dict[tuple[str, str], list[tuple[int, Path]]] = {}
    for path in paths:
        stem, page = page_key(path)
        groups.setdefault((stem, path.suffix.lower()), []).append((page, path))
    return [[p for _, p in sorted(members)] for _, members in sorted(groups.items())]


def _reader_modules() -> list[Reader]:
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


__all__ = ["Document", "NotATranscript", "Page", "ReadError", "READERS_VERSION", "SUFFIXES",
           "group_files", "read_group", "decode", "page_key"]
