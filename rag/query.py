"""Question understanding: speaker names and dates written in a question become hints.

"What did Hua Chunying say in March 2019 about ..." -> speaker Hua Chunying, 2019-03-01..31.
Hints are not hard filters: a question names a month it asks *about* as often as the month
something was *said* ("jobs added in August" reported in September), so the retriever adds
hint-filtered rankings to the fused result instead of discarding everything else.
"""
from __future__ import annotations

import calendar
import re

from rag.filters import Filters
from rag.text import MONTHS, find_dates

_MONTH_YEAR = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?,?\s+(?:of\s+)?((?:19|20)\d{2})\b", re.I)
_YEAR = re.compile(r"\b((?:19|20)\d{2})\b")


def _date_range(question: str) -> tuple[str | None, str | None]:
    days = find_dates(question)
    if days:
        return min(days), max(days)
    months = [(int(m.group(2)), MONTHS[m.group(1).lower().rstrip(".")])
              for m in _MONTH_YEAR.finditer(question)]
    if months:
        first, last = min(months), max(months)
        end_day = calendar.monthrange(*last)[1]
        return f"{first[0]:04d}-{first[1]:02d}-01", f"{last[0]:04d}-{last[1]:02d}-{end_day:02d}"
    years = sorted(int(y) for y in _YEAR.findall(question))
    if years:
        return f"{years[0]:04d}-01-01", f"{years[-1]:04d}-12-31"
    return None, None


def _speakers(question: str, known: list[str]) -> list[str]:
    """Known speakers whose full name appears in the question (longest names first, so
    'John Kirby' is not also matched as a shorter name inside it)."""
    lowered = question.lower()
    found: list[str] = []
    taken: list[tuple[int, int]] = []
    for name in sorted(known, key=len, reverse=True):
        if len(name.split()) < 2:
            continue  # a bare surname or label is too ambiguous to act on
        for m in re.finditer(r"\b" + re.escape(name.lower()) + r"(?:'s)?\b", lowered):
            if not any(a < m.end() and m.start() < b for a, b in taken):
                found.append(name)
                taken.append(m.span())
                break
    return found


def infer(question: str, known_speakers: list[str]) -> Filters:
    """Speaker and date hints for `question`, given the speakers the index knows."""
    date_from, date_to = _date_range(question)
    return Filters(speakers=_speakers(question, known_speakers), date_from=date_from,
                   date_to=date_to)
