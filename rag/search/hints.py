"""Question understanding: speaker names and dates written in a question become hints.

"What did Hua Chunying say in March 2019 about ..." -> speaker Hua Chunying, 2019-03-01..31.
Hints are not hard filters: a question names a month it asks *about* as often as the month
something was *said* ("jobs added in August" reported in September), so the retriever adds
rankings restricted to each hinted facet (a speaker, a period, or both) to the fused result
instead of discarding everything else. Each speaker and each period is its own facet, so a
comparison ("A in January and B in May") looks for both sides.
"""
from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass, field

from rag.filters import Filters
from rag.text.dates import MONTH, MONTHS, date_mentions

_MONTH_YEAR = re.compile(r"\b(?:(?:early|mid|late)[- ])?" + MONTH + r",?\s+(?:of\s+)?"
                         r"((?:19|20)\d{2})\b", re.I)
_YEAR = re.compile(r"\b(?:in |of |during )?((?:19|20)\d{2})\b", re.I)
# Words that put a surname in front of us as a person: "Secretary Cardona", "Ms. Hua".
_TITLED = re.compile(r"\b(?:Mr|Ms|Mrs|Dr|Secretary|Director|Admiral|Minister|Ambassador|"
                     r"Spokesperson|Advisor|Adviser|Coordinator|Senator|Governor|General)\.?\s+"
                     r"([A-Z][\w'-]+)")

Period = tuple[str, str]


@dataclass
class Hints:
    """What the question itself implies, and the question with those phrases taken out."""

    speakers: list[str] = field(default_factory=list)
    periods: list[Period] = field(default_factory=list)
    remainder: str = ""

    def __bool__(self) -> bool:
        return bool(self.speakers or self.periods)

    def facets(self, limit: int = 6, month_slack_days: int = 0) -> list[Filters]:
        """One filter per hinted speaker x period (at most `limit`). A whole month reaches
        `month_slack_days` into the next: a month's figures are announced after it ends
        ("jobs added in August" came out on 6 September)."""
        speakers = self.speakers or [None]
        periods = [_with_slack(p, month_slack_days) for p in self.periods] or [(None, None)]
        return [Filters(speakers=[s] if s else [], date_from=a, date_to=b)
                for s in speakers for a, b in periods if s or a][:limit]

    def describe(self) -> str:
        """What the question names, in words: "Geng Shuang's statements, March 2020"."""
        said = " and ".join(f"{name}'s" for name in self.speakers)
        return ", ".join(filter(None, [f"{said} statements" if said else "",
                                       " and ".join(map(period_label, self.periods))]))

    def as_filters(self) -> Filters:
        """All hints as one filter (for display): the speakers, the span of the periods."""
        return Filters(speakers=list(self.speakers),
                       date_from=min((a for a, _ in self.periods), default=None),
                       date_to=max((b for _, b in self.periods), default=None))


def _whole_month(period: Period) -> bool:
    first, last = period
    year, month = int(first[:4]), int(first[5:7])
    return first[8:] == "01" and last == f"{first[:8]}{calendar.monthrange(year, month)[1]:02d}"


def _with_slack(period: Period, days: int) -> Period:
    if not days or not _whole_month(period):
        return period
    return period[0], (datetime.date.fromisoformat(period[1]) + datetime.timedelta(days)).isoformat()


def period_label(period: Period) -> str:
    """'2024-05-09', 'May 2024' or '2024' for a day, a whole month or a whole year."""
    first, last = period
    if first == last:
        return first
    if first[5:] == "01-01" and last[5:] == "12-31" and first[:4] == last[:4]:
        return first[:4]
    if _whole_month(period):
        return f"{calendar.month_name[int(first[5:7])]} {first[:4]}"
    return f"{first} to {last}"


def _periods(question: str) -> tuple[list[Period], list[tuple[int, int]]]:
    """Date ranges named in the question (a day, a month, else a year) and their spans."""
    periods: list[Period] = []
    spans: list[tuple[int, int]] = []
    for start, end, iso in date_mentions(question):
        periods.append((iso, iso))
        spans.append((start, end))
    for m in _MONTH_YEAR.finditer(question):
        if any(a < m.end() and m.start() < b for a, b in spans):
            continue
        year, month = int(m.group(2)), MONTHS[m.group(1).lower().rstrip(".")]
        last = calendar.monthrange(year, month)[1]
        periods.append((f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{last:02d}"))
        spans.append(m.span())
    for m in _YEAR.finditer(question):
        if any(a < m.end() and m.start() < b for a, b in spans):
            continue
        year = m.group(1)
        if not any(a.startswith(year) for a, _ in periods):
            periods.append((f"{year}-01-01", f"{year}-12-31"))
        spans.append(m.span())
    return list(dict.fromkeys(periods)), spans


def _speakers(question: str, known: list[str]) -> tuple[list[str], list[tuple[int, int]]]:
    """Known speakers named in the question: by full name, or by a surname that follows a
    title ("Secretary Cardona") and fits exactly one known speaker. Longest names first, so
    'John Kirby' is not also matched as a shorter name inside it."""
    lowered = question.lower()
    found: list[str] = []
    spans: list[tuple[int, int]] = []
    people = [n for n in known if len(n.split()) >= 2 and not n.startswith("The ")]
    for name in sorted(people, key=len, reverse=True):
        m = re.search(r"\b" + re.escape(name.lower()) + r"(?:'s)?\b", lowered)
        if m and not any(a < m.end() and m.start() < b for a, b in spans):
            found.append(name)
            spans.append(m.span())
    for m in _TITLED.finditer(question):
        if any(a < m.end() and m.start() < b for a, b in spans):
            continue
        fits = [n for n in people if n.split()[-1] == m.group(1)]
        if len(fits) == 1 and fits[0] not in found:
            found.append(fits[0])
            spans.append(m.span(1))
    order = sorted(range(len(found)), key=lambda i: spans[i])  # as the question names them
    return [found[i] for i in order], [spans[i] for i in order]


def infer(question: str, known_speakers: list[str]) -> Hints:
    """Speaker and date hints for `question`, given the speakers the index knows.

    (Institutional speakers such as "The White House" are never hinted: the phrase names the
    subject of most questions, not who spoke.)"""
    speakers, speaker_spans = _speakers(question, known_speakers)
    periods, date_spans = _periods(question)
    remainder = question
    for a, b in sorted(speaker_spans + date_spans, reverse=True):
        remainder = remainder[:a] + " " + remainder[b:]
    return Hints(speakers, periods, " ".join(remainder.split()))
