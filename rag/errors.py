"""Errors and problems: what goes wrong, said in one line a person can act on.

`BriefingsError` is the base of every error a user may see; the command line prints it as
`briefings: <message>` instead of a traceback. A `Problem` is one input (a file or a URL) that
a run skipped or could not use: reports collect them and carry on with the rest.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


class BriefingsError(Exception):
    """Base of every user-facing error. Its str() is one line that names the file, field or URL
    at fault and says what is wrong with it."""


@dataclass
class Problem:
    """One input a run skipped or could not use: `where` is its file path or URL."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"

    def as_dict(self, where: str = "where") -> dict[str, str]:
        """The problem as JSON; `where` names the key of its location ("path" in ingest
        reports, "url" in fetch reports: the names their JSON has always used)."""
        return {where: self.where, "reason": self.reason}


def problem_lines(groups: Iterable[tuple[str, Iterable[Problem]]]) -> list[str]:
    """One indented line per problem, "  <label>: <where>: <reason>", group after group."""
    return [f"  {label}: {problem}" for label, problems in groups for problem in problems]
