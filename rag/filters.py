"""Filters: the restrictions a search runs under (speaker, role, date range, source family).

Given by the caller (CLI flags, UI controls) they are hard limits applied inside the search;
inferred from a question they become hints (see rag.query).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


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

    def merged(self, other: "Filters") -> "Filters":
        """These filters narrowed by `other` (other's values win where both are set)."""
        return Filters(
            speakers=other.speakers or self.speakers,
            roles=other.roles or self.roles,
            date_from=other.date_from or self.date_from,
            date_to=other.date_to or self.date_to,
            sources=other.sources or self.sources,
        )

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v}
