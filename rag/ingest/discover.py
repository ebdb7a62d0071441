"""Discovery: the transcript files under the paths an ingest is given."""
from __future__ import annotations

from pathlib import Path

from rag.errors import Problem
from rag.readers import SUFFIXES


def discover(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    """Transcript files under `paths` (folders searched recursively, hidden files ignored)."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            files.extend(p for p in sorted(path.rglob("*"))
                         if p.is_file() and p.suffix.lower() in SUFFIXES
                         and not any(part.startswith(".") for part in p.relative_to(path).parts))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(str(path), "no such file or folder"))
    return [f.resolve() for f in files], problems
