"""The timeline view: one lane per speaker, a mark per briefing with a statement on the topic
(rag.answer.timeline), drawn as SVG with an axis of months or years; the same marks as a table,
and when each speaker's statements start, peak and stop."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Sequence

from rag.answer.timeline import TimelineMark, summarize
from ui.views import briefing_href, briefing_link, esc

_LANE_PX, _AXIS_PX, _LEFT, _RIGHT = 54, 34, 1.5, 98.5   # lane and axis heights; x range in %
_MIN_R, _MAX_R = 5.0, 11.0                                # a mark's radius, least to most relevant
_LANE_COLOURS = ["#2563eb", "#d97706", "#059669", "#dc2626", "#7c3aed", "#0891b2", "#db2777",
                 "#4d7c0f"]
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def _period(marks: Sequence[TimelineMark], first: str | None,
            last: str | None) -> tuple[date, date]:
    """The dates the x-axis spans: the zoom's, else the marks' with a little room on each
    side, so no mark sits on the edge."""
    dates = [date.fromisoformat(m.date) for m in marks]
    lo = date.fromisoformat(first) if first else min(dates)
    hi = date.fromisoformat(last) if last else max(dates)
    pad = max(timedelta(days=7), (hi - lo) * 0.03)
    return lo - (timedelta(0) if first else pad), hi + (timedelta(0) if last else pad)


def _ticks(lo: date, hi: date) -> list[tuple[date, str, bool]]:
    """(date, label, major) of the x-axis ticks: Mondays over two months at most, first days
    of months over two years at most (January's and the first major), else of years."""
    if (hi - lo).days <= 62:
        days = [lo + timedelta(days=(-lo.weekday()) % 7 + 7 * i)
                for i in range((hi - lo).days // 7 + 1)]
        return [(d, f"{_MONTHS[d.month - 1]} {d.day}", i == 0 or d.day <= 7)
                for i, d in enumerate(days) if d <= hi]
    years = (hi - lo).days > 731
    months = [date(n // 12, n % 12 + 1, 1) for n in
              range(lo.year * 12 + lo.month - 1 + (lo.day > 1), hi.year * 12 + hi.month)]
    if years:
        return [(d, str(d.year), True) for d in months if d.month == 1]
    return [(d, f"{_MONTHS[d.month - 1]} {d.year}" if i == 0 or d.month == 1
             else _MONTHS[d.month - 1], i == 0 or d.month == 1) for i, d in enumerate(months)]


def timeline_svg(marks: Sequence[TimelineMark], lanes: Sequence[str],
                 first: str | None = None, last: str | None = None,
                 relevance: tuple[float, float] | None = None) -> str:
    """The timeline's plot: one lane per speaker (`lanes` in order, then any other speaker
    of `marks`), one circle per briefing, larger and darker the closer its statement is to
    the topic (`relevance`: the least and most of the whole timeline), each a link to the
    excerpt in the briefing view, its words in the tooltip. `first`/`last` (YYYY-MM-DD) zoom
    the x-axis; the whole timeline's lanes and relevance keep a zoom's lanes, colours and
    sizes."""
    if not marks:
        return '<p class="timeline-empty">No briefing to show in these dates.</p>'
    lanes = list(dict.fromkeys([*lanes, *(m.speaker for m in marks)]))
    lo, hi = _period(marks, first, last)
    days = max(1, (hi - lo).days)
    least, most = relevance or (min(m.similarity for m in marks), max(m.similarity for m in marks))

    def x(day: date) -> str:
        return f"{_LEFT + (_RIGHT - _LEFT) * (day - lo).days / days:.2f}%"

    height = len(lanes) * _LANE_PX + _AXIS_PX
    axis_y = len(lanes) * _LANE_PX
    parts = []
    for day, label, major in _ticks(lo, hi):
        kind = "major" if major else "minor"
        parts.append(f'<g class="tick {kind}"><line x1="{x(day)}" x2="{x(day)}" y1="0" '
                     f'y2="{axis_y + 4}" stroke="#d1d5db"/><text x="{x(day)}" '
                     f'y="{axis_y + 20}" text-anchor="middle" fill="currentColor">'
                     f'{esc(label)}</text></g>')
    for i, speaker in enumerate(lanes):
        colour = _LANE_COLOURS[i % len(_LANE_COLOURS)]
        y = i * _LANE_PX + 36
        parts.append(f'<g class="lane" data-speaker="{esc(speaker)}">'
                     f'<text class="lane-label" x="{_LEFT}%" y="{y - 18}" fill="currentColor">'
                     f'{esc(speaker)}</text><line class="lane-line" x1="{_LEFT}%" '
                     f'x2="{_RIGHT}%" y1="{y}" y2="{y}" stroke="#9ca3af"/>')
        for m in (m for m in marks if m.speaker == speaker):
            share = (m.similarity - least) / (most - least) if most > least else 1.0
            said = f"{m.matches} statements" if m.matches > 1 else "1 statement"
            tip = (f"{m.date} · {speaker} · {said}\n“{' '.join(m.excerpt.split())}”\n"
                   f"{m.passage.title}")
            parts.append(
                f'<a class="open-briefing" href="{esc(briefing_href(m.passage, m.span))}">'
                f'<circle class="mark" cx="{x(date.fromisoformat(m.date))}" cy="{y}" '
                f'r="{_MIN_R + (_MAX_R - _MIN_R) * share:.1f}" fill="{colour}" '
                f'fill-opacity="{0.35 + 0.6 * share:.2f}" stroke="{colour}">'
                f'<title>{esc(tip)}</title></circle></a>')
        parts.append("</g>")
    return (f'<svg class="timeline-svg" width="100%" height="{height}" role="img" '
            f'aria-label="Briefings with statements on the topic, by speaker and date">'
            f'{"".join(parts)}</svg><p class="timeline-key">One mark per briefing; larger and '
            f"darker: closer to the topic. Hover a mark for its words; click it to open the "
            f"briefing there.</p>")


def timeline_table(marks: Sequence[TimelineMark]) -> str:
    """The timeline's briefings as a table, in date order: each one's best statement, and its
    title linked to the excerpt in the briefing view."""
    if not marks:
        return ""
    rows = "".join(
        f'<tr><td class="date">{esc(m.date)}</td><td class="speaker">{esc(m.speaker)}</td>'
        f'<td class="said">{esc(" ".join(m.excerpt.split()))}</td>'
        f'<td class="briefing">{briefing_link(m.passage, m.passage.title, m.span)}</td>'
        f'<td class="matches">{m.matches}</td></tr>' for m in marks)
    return ('<table class="timeline-rows"><thead><tr><th>Date</th><th>Speaker</th>'
            '<th>Best statement</th><th>Briefing</th><th title="statements on the topic in '
            f'this briefing">Matches</th></tr></thead><tbody>{rows}</tbody></table>')


def timeline_note(speakers: Sequence[str], marks: Sequence[TimelineMark],
                  shown: Sequence[TimelineMark], first: str | None = None,
                  last: str | None = None) -> str:
    """When each speaker's statements start, peak and stop (in the dates shown), one line a
    speaker, then who was searched and the zoom."""
    if not marks:
        return f"No statement by {', '.join(speakers)} matches this topic."
    lines = [span.line() for span in summarize(shown, speakers)] or [
        "No briefing in these dates."]
    silent = [s for s in speakers if not any(m.speaker == s for m in marks)]
    lines.append(f"Searched: {', '.join(speakers)}"
                 + (f" (no statement by {', '.join(silent)})" if silent else "") + ".")
    if first or last:
        lines.append(f"Showing {first or '…'} to {last or '…'}: {len(shown)} of "
                     f"{len(marks)} briefings.")
    return "  \n".join(lines)
