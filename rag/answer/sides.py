"""The sides of a comparison: two or more officials a question names, or two or more periods it
compares ("How did Kirby's numbers in January 2024 compare with May 2024?").

Each side is searched under its own hard filter and answered from its own passages only: a
1.5B model shown both sides at once put one official's words in the other's mouth.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from rag.filters import Filters
from rag.search.hints import Hints, Period, period_label


@dataclass(frozen=True)
class Side:
    """One side of a comparison: its label, the filter its search runs under, and what the
    model is asked to say of it."""

    label: str
    filters: Filters
    said: str   # "what Lu Kang said", "what was said in May 2024"
    # A period's side speaks for the whole period: its passages come from as many of the
    # period's briefings as rank, not from its busiest day alone.
    across_briefings: bool = False


def speaker_sides(speakers: Sequence[str], filters: Filters | None = None) -> list[Side]:
    """One side per speaker, each within the caller's `filters`."""
    filters = filters or Filters()
    return [Side(name, filters.narrowed(Filters(speakers=[name])) or Filters(speakers=[name]),
                 f"what {name} said") for name in dict.fromkeys(speakers)]


def period_sides(periods: Sequence[Period], filters: Filters | None = None) -> list[Side]:
    """One side per period, each within the caller's `filters` (its speakers, say)."""
    filters = filters or Filters()
    who = " and ".join(filters.speakers) if filters.speakers else "was"
    sides = []
    for first, last in periods:
        narrowed = filters.narrowed(Filters(date_from=first, date_to=last))
        if narrowed is not None:
            label = period_label((first, last))
            sides.append(Side(label, narrowed, f"what {who} said in {label}",
                              across_briefings=True))
    return sides


# Words that make a question naming two periods a comparison of them, not a date range.
_COMPARING = re.compile(r"\b(?:compar\w*|differ\w*|chang\w*|shift\w*|evolv\w*|move[ds]?|"
                        r"versus|vs|than|both|each)\b", re.I)


def sides_in(hints: Hints, filters: Filters) -> list[Side]:
    """The sides a question compares, from what it names (`hints`): two or more known speakers
    (unless the caller picked speakers), else two or more periods in a comparing question
    unless the caller fixed the dates. [] when it is not a comparison."""
    if len(hints.speakers) >= 2 and not filters.speakers:
        return speaker_sides(hints.speakers, filters)
    if (len(hints.periods) >= 2 and _COMPARING.search(hints.remainder)
            and not (filters.date_from or filters.date_to)):
        within = filters.narrowed(Filters(speakers=hints.speakers)) if hints.speakers else filters
        sides = period_sides(hints.periods, within) if within is not None else []
        if len(sides) >= 2:
            return sides
    return []
