"""Dates written in text: the one month table, full dates in several spellings, yearless days."""
from __future__ import annotations

import re
from datetime import date

MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
               "september", "october", "november", "december")
MONTHS = {name: i + 1 for i, name in enumerate(MONTH_NAMES)}
MONTHS.update({name[:3]: num for name, num in list(MONTHS.items())})
MONTHS["sept"] = 9
# The one month-name pattern (one group, the name as written; match case-insensitively).
MONTH = r"(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
# "June 7, 2018", "June12, 2018", "June 7 2018", "7 June 2018"
_MDY = re.compile(MONTH + r"\s*(\d{1,2})(?:st|nd|rd|th)?,?\s*(\d{4})", re.I)
_DMY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+" + MONTH + r",?\s+(\d{4})", re.I)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?!\d)")
_MD = re.compile(MONTH + r"\s*(\d{1,2})\b(?!,?\s*\d{4})", re.I)


def iso_date(name: str, value: str | None) -> str | None:
    """`value` checked as a YYYY-MM-DD date (None stays None); ValueError naming `name`, the
    option or field it came from."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"{name}: expected a date like 2024-07-05, got '{value}'") from None


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def date_mentions(text: str) -> list[tuple[int, int, str]]:
    """(start, end, ISO date) of every full date written in `text` (several spellings)."""
    found: list[tuple[int, int, str]] = []
    for pattern, ymd in ((_MDY, (3, 1, 2)), (_DMY, (3, 2, 1)), (_ISO, (1, 2, 3))):
        for m in pattern.finditer(text):
            y, mo, d = (m.group(i) for i in ymd)
            month = int(mo) if mo.isdigit() else MONTHS[mo.lower().rstrip(".")]
            iso = _iso(int(y), month, int(d))
            if iso:
                found.append((m.start(), m.end(), iso))
    return sorted(found)


def find_dates(text: str) -> list[str]:
    """Every full date written in `text`, as ISO strings, in order."""
    return [iso for _, _, iso in date_mentions(text)]


def parse_date(text: str) -> str | None:
    """The first full date written in `text`, as ISO, or None."""
    dates = find_dates(text)
    return dates[0] if dates else None


def month_day(text: str) -> tuple[int, int] | None:
    """A yearless "July 5" / "Sept. 10" in `text` as (month, day), or None."""
    m = _MD.search(text)
    if not m:
        return None
    return MONTHS[m.group(1).lower().rstrip(".")], int(m.group(2))
