"""Filters: the restrictions a search runs under (speaker, role, date range, source family).

Given by the caller (CLI flags, UI controls) they are hard limits applied inside the search;
inferred from a question they become hints (see rag.search.hints).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rag.records import Passage


@dataclass
class Filters:
    speakers: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    date_from: str | None = None  # ISO, inclusive
    date_to: str | None = None    # ISO, inclusive
    sources: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.speakers or self.roles or self.date_from or self.date_to or self.sources)

    def sql(self, alias: str = "p") -> tuple[str, list]:
        """A WHERE fragment (starting with ' AND', or empty) over the passages table."""
        parts: list[str] = []
        params: list = []
        for column, values in (("speaker", self.speakers), ("role", self.roles),
                               ("source", self.sources)):
            if values:
                parts.append(f"{alias}.{column} IN ({','.join('?' * len(values))})")
                params.extend(values)
        if self.date_from:
            parts.append(f"{alias}.date >= ?")
            params.append(self.date_from)
        if self.date_to:
            parts.append(f"{alias}.date <= ?")
            params.append(self.date_to)
        return ("".join(f" AND {p}" for p in parts), params)

    def admits(self, passage: Passage) -> bool:
        """Whether `passage` meets these filters (what sql() selects, checked in memory)."""
        return ((not self.speakers or passage.speaker in self.speakers)
                and (not self.roles or passage.role in self.roles)
                and (not self.sources or passage.source in self.sources)
                and (not self.date_from or passage.date >= self.date_from)
                and (not self.date_to or passage.date <= self.date_to))

    def narrowed(self, other: "Filters") -> "Filters | None":
        """Both filters at once (speakers, roles and sources in both lists, the overlap of the
        date ranges), or None when nothing can satisfy both: these filters stay hard limits."""
        def both(mine: list[str], theirs: list[str]) -> list[str] | None:
            if mine and theirs:
                common = [v for v in mine if v in theirs]
                return common or None
            return list(mine or theirs)

        speakers, roles, sources = (both(self.speakers, other.speakers),
                                    both(self.roles, other.roles),
                                    both(self.sources, other.sources))
        date_from = max(filter(None, (self.date_from, other.date_from)), default=None)
        date_to = min(filter(None, (self.date_to, other.date_to)), default=None)
        if speakers is None or roles is None or sources is None or (
                date_from and date_to and date_from > date_to):
            return None
        return Filters(speakers, roles, date_from, date_to, sources)

    def describe(self) -> str:
        """These limits in words: 'Geng Shuang, officials, mfa, 2020-03-01 to 2020-03-31'."""
        dates = (f"{self.date_from or 'the start'} to {self.date_to or 'the end'}"
                 if self.date_from or self.date_to else "")
        return ", ".join(filter(None, [" or ".join(self.speakers), " or ".join(self.roles),
                                       " or ".join(self.sources), dates]))

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v}
