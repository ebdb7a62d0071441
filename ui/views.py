"""HTML views of answers, sources, comparisons, timelines, quote checks, index statistics and
upload reports.

Everything a transcript or a model wrote is data: it is HTML-escaped before it is placed in a
page. Citation markers [n] become chips linking to the source card they cite; the cards carry
ids ("src-<turn>-<n>" in the chat, "cmp-<n>" in a comparison) and assets/head.html opens and
scrolls to them.
"""
from __future__ import annotations

import html
import re
from datetime import date, timedelta
from typing import Iterable, Sequence
from urllib.parse import urlencode, urlparse

from rag.answer.compare import Comparison
from rag.answer.records import Answer, Source
from rag.answer.refusals import REFUSAL
from rag.answer.timeline import TimelineMark, summarize
from rag.citations.markers import MARKER, marker_numbers
from rag.filters import Filters
from rag.records import GENERIC, MFA, SCIO, WHITEHOUSE, Briefing, Passage, citation_text
from rag.verify.records import Match, QuoteCheck

FAMILIES = {SCIO: "SCIO", MFA: "Foreign Ministry", WHITEHOUSE: "White House", GENERIC: "Other"}


def esc(text: str) -> str:
    return html.escape(text or "", quote=True)


def chip(prefix: str, marker: int) -> str:
    return f'<a class="chip" href="#{prefix}-{marker}" title="Show source {marker}">{marker}</a>'


def with_chips(text: str, prefix: str, markers: Iterable[int]) -> str:
    """`text` escaped, each citation marker ("[1]", "[1, 2]", ...) naming one of `markers`
    turned into chips; numbers naming no source stay as written."""
    valid = set(markers)

    def chips(m: re.Match) -> str:
        numbers = marker_numbers(m.group(1))
        if not valid.intersection(numbers):
            return m.group(0)
        return "".join(chip(prefix, n) if n in valid else f"[{n}]" for n in numbers)

    # Found in the escaped text: escaping changes no character of a marker but "&".
    return MARKER.sub(chips, esc(text))


def _link(title: str, location: str) -> str:
    """The briefing title, linked to its original page when the location is a web address."""
    if urlparse(location).scheme in ("http", "https"):
        return (f'<a href="{esc(location)}" target="_blank" rel="noopener noreferrer">'
                f"{esc(title)}</a>")
    return esc(title)


def briefing_href(passage: Passage, span: tuple[int, int] | None = None) -> str:
    """The permalink of an excerpt: the app's briefing view of its briefing, the passage (and
    `span`, offsets in passage.text) highlighted. Briefing ids and turn orders survive a rebuilt
    index; the passage id is only the fastest way back to the words."""
    query = {"briefing": passage.briefing_id, "turn": passage.turn_order, "passage": passage.id}
    if span:
        query |= {"start": span[0], "end": span[1]}
    return "?" + urlencode(query)


def briefing_link(passage: Passage, label: str = "In the briefing",
                  span: tuple[int, int] | None = None) -> str:
    """A link that opens the excerpt in the app's briefing view (assets/head.html opens it in
    place; a new tab or a reload opens the same view from the URL)."""
    return (f'<a class="open-briefing" href="{esc(briefing_href(passage, span))}" '
            f'title="Open the whole briefing at this excerpt">{esc(label)}</a>')


def _highlighted(text: str, given: tuple[int, int] | None,
                 cited: Sequence[tuple[int, int]]) -> str:
    """`text` with the part shown to the model and the cited words marked (escaped)."""
    cuts = {0, len(text)}
    if given:
        cuts.update(given)
    for a, b in cited:
        cuts.update((a, b))
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    out = []
    for a, b in zip(points, points[1:]):
        piece = esc(text[a:b])
        if any(x <= a and b <= y for x, y in cited):
            piece = f'<mark class="cited">{piece}</mark>'
        if given and given[0] <= a and b <= given[1]:
            piece = f'<span class="given">{piece}</span>'
        out.append(piece)
    return "".join(out).replace("\n", "<br>")


def _card(passage: Passage, anchor: str = "", label: str = "", open_: bool = True,
          given: tuple[int, int] | None = None, cited: Sequence[tuple[int, int]] = ()) -> str:
    """One excerpt: who said it, when, in which briefing, what was asked, and the words, with
    a link to the excerpt in its briefing and a button copying the citation."""
    p = passage
    asked = (f'<div class="asked"><span class="what">Asked:</span> {esc(p.question)}</div>'
             if p.question else "")
    ident = f' id="{anchor}"' if anchor else ""
    marker = f'<span class="marker">{label}</span> ' if label else ""
    span = cited[0] if cited else given
    words = p.text[span[0]:span[1]] if span else p.text
    return (
        f'<details class="source"{ident}{" open" if open_ else ""}>'
        f'<summary>{marker}<span class="speaker">{esc(p.speaker)}</span> '
        f'<span class="role">{esc(p.role)}</span> <span class="date">{esc(p.date)}</span></summary>'
        f'<div class="briefing">{_link(p.title, p.location)} '
        f'<span class="family">{esc(FAMILIES.get(p.source, p.source))}</span></div>'
        f'{asked}<blockquote class="passage">{_highlighted(p.text, given, cited)}</blockquote>'
        f'<div class="actions">{briefing_link(p, span=span)} '
        f'<button type="button" class="copy-citation" data-copy="{esc(citation_text(p, words))}">'
        "Copy citation</button></div></details>")


def _source_card(source: Source, prefix: str, cited: dict[int, list[tuple[int, int]]],
                 open_: bool) -> str:
    given = (source.start, source.start + len(source.text))
    return _card(source.passage, f"{prefix}-{source.marker}", str(source.marker), open_, given,
                 cited.get(source.marker, ()))


def answer_markdown(answer: Answer, prefix: str) -> str:
    """A finished answer as a chat message: the text with chips, or a plain refusal."""
    if answer.refused and not answer.retrieved:
        # nothing to list under Sources: say why, naming the filters that excluded everything
        body = (f"**No passage matched the filters** ({esc(filters_text(answer.filters))}): "
                "change or clear them." if answer.filters else
                f"**{REFUSAL}** The index holds no passage to answer from.")
    elif answer.refused:
        searched = esc(answer.text.removeprefix(REFUSAL).strip())  # what was searched
        body = (f"**{REFUSAL}** {searched} The nearest excerpts are listed under Sources; none "
                "of them answers the question.")
    else:
        body = with_chips(answer.text, prefix, [s.marker for s in answer.sources])
    if answer.note and answer.mode == "extractive" and not answer.refused:
        body += f"\n\n<small>{esc(answer.note)}</small>"
    return body


def _answer_tools(turn: int, link: str) -> str:
    """Under a finished answer: copy it as text (the words of #text-<turn> in the sources
    panel: markers and a sources list, not this message's HTML) and its permalink."""
    tools = f'<a class="copy-text" href="#text-{turn}">Copy as text</a>'
    if link:
        tools += f' · <a class="permalink" href="{esc(link)}">Link to this answer</a>'
    return f'\n\n<small class="answer-tools">{tools}</small>'


def chat_messages(history: Sequence[Answer], current: Answer | None = None,
                  partial: str = "", status: str = "", links: Sequence[str] = ()) -> list[dict]:
    """The conversation for gr.Chatbot: finished answers (each with its tools and, when saved,
    its link from `links`), then the one in progress."""
    messages: list[dict] = []
    for turn, answer in enumerate(history, 1):
        link = links[turn - 1] if turn <= len(links) else ""
        messages += [{"role": "user", "content": esc(answer.question)},
                     {"role": "assistant", "content": answer_markdown(answer, f"src-{turn}")
                      + _answer_tools(turn, link)}]
    if current is not None:
        prefix = f"src-{len(history) + 1}"
        text = with_chips(partial, prefix, [s.marker for s in current.sources]) if partial else ""
        messages += [{"role": "user", "content": esc(current.question)},
                     {"role": "assistant", "content": text or f"<em>{esc(status)}</em>"}]
    return messages


def _turn_sources(answer: Answer, turn: int, latest: bool) -> str:
    prefix = f"src-{turn}"
    cited = {c.marker: c.spans for c in answer.citations}
    shown = {s.passage.id for s in answer.sources}
    others = [p for p in answer.retrieved if p.id not in shown]
    if answer.refused:
        heading = "Nearest excerpts: they do not answer the question"
    elif answer.kind == "compare":
        heading = "Sources, one search per side"
    else:
        heading = "Sources"
    cards = "".join(_source_card(s, prefix, cited, open_=latest) for s in answer.sources)
    if not answer.sources:
        cards = "".join(_card(p, open_=latest) for p in others[:3])
        others = others[3:]
    more = ""
    if others:
        more = (f'<details class="more"><summary>{len(others)} more excerpts found</summary>'
                + "".join(_card(p, open_=False) for p in others) + "</details>")
    # the answer as text, for its "Copy as text" link (only finished answers have one)
    text = (f'<textarea class="answer-text" id="text-{turn}" hidden readonly>'
            f"{esc(answer.as_text())}</textarea>" if answer.text else "")
    return (f'<details class="turn" id="turn-{turn}"{" open" if latest else ""}>'
            f'<summary>{heading} for <q>{esc(answer.question)}</q></summary>'
            f"{cards}{more}{text}</details>")


def sources_panel(history: Sequence[Answer], current: Answer | None = None) -> str:
    """Every answer's sources, newest first; only the newest is open."""
    answers = list(history) + ([current] if current is not None else [])
    if not answers:
        return ('<div class="empty">Ask a question: the excerpts it is answered from appear '
                "here, with speaker, date, briefing and the question that was asked.</div>")
    sections = [_turn_sources(a, turn, turn == len(answers))
                for turn, a in reversed(list(enumerate(answers, 1)))]
    return '<div class="sources">' + "".join(sections) + "</div>"


def hints_html(answer: Answer | None, use_hints: bool) -> str:
    """The filters the question itself suggested, and how to search without them."""
    if answer is None or answer.kind == "compare":
        return ""
    if not use_hints:
        return '<div class="hints">Hints from the question are off.</div>'
    hints = answer.hints
    if not hints:
        return ""
    parts = [f'<span class="hint">speaker: {esc(name)}</span>' for name in hints.speakers]
    if hints.date_from or hints.date_to:
        parts.append(f'<span class="hint">dates: {esc(hints.date_from or "…")} to '
                     f'{esc(hints.date_to or "…")}</span>')
    return ('<div class="hints">Hints taken from the question (they favour, not restrict): '
            + " ".join(parts) + '. Untick "Use hints from the question" to ask without them.</div>')


def filters_text(filters: Filters) -> str:
    """The active filters in words, for the status line."""
    parts = []
    if filters.speakers:
        parts.append("speakers " + ", ".join(filters.speakers))
    if filters.date_from or filters.date_to:
        parts.append(f"dates {filters.date_from or '…'} to {filters.date_to or '…'}")
    if filters.sources:
        parts.append("sources " + ", ".join(FAMILIES.get(s, s) for s in filters.sources))
    return "; ".join(parts)


def comparison_html(comparison: Comparison, partial: str = "", status: str = "") -> str:
    """The comparison text with chips, then one column of dated excerpts per speaker."""
    answer = comparison.answer
    markers = [s.marker for s in answer.sources]
    if answer.refused:
        text = (f"<p><strong>{REFUSAL}</strong> The nearest excerpts of each speaker are "
                "below.</p>")
    elif answer.text or partial:
        # one line per side and per quoted statement
        lines = with_chips(answer.text or partial, "cmp", markers).replace("\n", "<br>")
        text = f'<p class="comparison">{lines}</p>'
    else:
        text = f'<p class="pending"><em>{esc(status)}</em></p>'
    cited = {c.marker: c.spans for c in answer.citations}
    columns = []
    for label, side in comparison.sides.items():
        cards = "".join(_source_card(s, "cmp", cited, open_=True) for s in side) or (
            '<div class="empty">No excerpt on this side matches.</div>')
        columns.append(f'<div class="side"><h3>{esc(label)}</h3>{cards}</div>')
    return f'<div class="compare">{text}<div class="sides">{"".join(columns)}</div></div>'


def side_being_written(partial: str, sides: Sequence[str]) -> str:
    """The status line while a comparison is written: whose side the text has reached (each
    side's text starts on a new line with its label)."""
    starts = [line.split(":", 1)[0] for line in partial.splitlines() if ":" in line]
    current = next((label for label in reversed(starts) if label in sides), "")
    done = sides.index(current) if current else 0
    return (f"Writing {current}'s side ({done + 1} of {len(sides)})…" if current
            else "The model is writing…")


# The timeline's plot: drawn here as SVG (no plotting script in the page, offline). x runs in
# percent of the panel's width, so the plot fills any screen without scaling its text.
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


def speaker_choices(menu: Sequence[tuple[str, int, bool]]) -> list[tuple[str, str]]:
    """(label, value) for the speaker menus: "Geng Shuang (118 briefings)", people first by
    name, then the roles ("Aide · a role, not a name"), as Briefings.speaker_menu orders them."""
    def label(name: str, n: int, person: bool) -> str:
        count = f"{n:,} briefing{'s' if n != 1 else ''}"
        return f"{name} ({count})" if person else f"{name} · a role, not a name ({count})"
    return [(label(name, n, person), name) for name, n, person in menu]


def stats_html(stats: dict) -> str:
    families = ", ".join(f"{FAMILIES.get(k, k)}: {v}" for k, v in sorted(stats["sources"].items()))
    top = ", ".join(f"{name} ({n})" for name, n in stats["top_speakers"])
    rows = [("Briefings", stats["briefings"]), ("Official speakers", stats["speakers"]),
            ("Passages", stats["passages"]), ("Turns", stats["turns"]),
            ("Dates", f"{stats['date_from'] or '–'} to {stats['date_to'] or '–'}"),
            ("By source", families or "–"), ("Files indexed", stats["documents"]),
            ("Files skipped", stats["skipped"]), ("Most passages", top or "–")]
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(str(v))}</td></tr>" for k, v in rows)
    return f'<table class="stats">{body}</table>'


def upload_html(outcomes: Sequence) -> str:
    """One line per uploaded file: indexed, or why not."""
    if not outcomes:
        return ""
    rows = "".join(
        f'<tr class="{esc(o.status)}"><td class="name">{esc(o.name)}</td>'
        f'<td class="status">{esc(o.status)}</td><td class="reason">{esc(o.reason)}</td></tr>'
        for o in outcomes)
    return ('<table class="uploads"><tr><th>File</th><th>Result</th><th>Reason</th></tr>'
            f"{rows}</table>")


VERDICTS = {"verbatim": "Verbatim", "altered": "Altered", "misattributed": "Misattributed",
            "not_found": "Not found"}


def _said(match: Match, differences: Sequence = ()) -> str:
    """The sentences around the matched words, the words marked, and each difference shown
    where it falls: the transcript's words the quote changed or left out struck through, the
    quote's own words beside them."""
    text = match.turn.text
    start, end = match.excerpt
    a, b = match.alignment.start, match.alignment.end
    out = [esc(text[start:a]), '<span class="matched">']
    at = a
    for d in sorted(differences, key=lambda d: d.at):
        out.append(esc(text[at:d.at[0]]))
        if d.transcript:
            out.append(f'<del class="said" title="in the transcript">{esc(d.transcript)}</del>')
        if d.quote:
            out.append(f'<ins class="quoted" title="in the quote">{esc(d.quote)}</ins>')
        at = d.at[1]
    out += [esc(text[at:b]), "</span>", esc(text[b:end])]
    return "".join(out)


def _match_line(match: Match) -> str:
    t = match.turn
    close = "" if match.alignment.verbatim else \
        f' <span class="close">close words, {match.alignment.similarity:.0%} alike</span>'
    return (f'<li><span class="date">{esc(t.date)}</span> <span class="speaker">'
            f'{esc(t.speaker)}</span> <span class="role">{esc(t.role)}</span>, '
            f'{_link(t.title, t.location)}{close}</li>')


def quote_check_html(check: QuoteCheck) -> str:
    """One quote check: the verdict, the transcript's words with the differences marked, who
    said them in which briefing and after what question, and the other dates they were said."""
    claim = check.claim
    credited = ", ".join(x for x in (claim.speaker, claim.date) if x) or "no speaker or date given"
    parts = [f'<div class="quote-check verdict-{esc(check.verdict)}">',
             f'<p class="verdict"><span class="badge">{esc(VERDICTS[check.verdict])}</span> '
             f"{esc(check.summary().split(': ', 1)[1])}</p>",   # the badge names the verdict
             f'<p class="claim">Checked: \u201c{esc(claim.quote)}\u201d ({esc(credited)})</p>']
    if check.found:
        t = check.found.turn
        parts.append(f'<blockquote class="said">{_said(check.found, check.differences)}'
                     "</blockquote>")
        parts.append(f'<p class="source"><span class="speaker">{esc(t.speaker)}</span> '
                     f'<span class="role">{esc(t.role)}</span> <span class="date">'
                     f"{esc(t.date)}</span>, {_link(t.title, t.location)}</p>")
        if t.question:
            parts.append(f'<p class="asked"><span class="what">Asked:</span> '
                         f"{esc(t.question)}</p>")
        if check.occurrences:
            parts.append('<p class="also">Also said:</p><ul class="occurrences">'
                         + "".join(_match_line(m) for m in check.occurrences) + "</ul>")
    elif check.nearest:
        parts.append('<p class="also">Nearest excerpts:</p><ul class="nearest">'
                     + "".join(f'<li><blockquote>{_said(m)}</blockquote></li>{_match_line(m)}'
                               for m in check.nearest) + "</ul>")
    return "".join(parts) + "</div>"


def quote_checks_html(checks: Sequence[QuoteCheck]) -> str:
    """Every check of a pasted article (or the one quote), in the order quoted."""
    if not checks:
        return '<p class="quote-none">No quotation long enough to check was found.</p>'
    return "".join(quote_check_html(c) for c in checks)


def _turn_text(text: str, excerpt: tuple[int, int] | None, cited: tuple[int, int] | None) -> str:
    """A turn's words (escaped), the linked excerpt marked and, inside it, the cited words."""
    if excerpt is None:
        return esc(text).replace("\n", "<br>")
    a, b = excerpt
    inner = text[a:b]
    if cited:
        x, y = max(0, min(cited[0], len(inner))), max(0, min(cited[1], len(inner)))
        inner_html = (esc(inner[:x]) + f'<mark class="cited">{esc(inner[x:y])}</mark>'
                      + esc(inner[y:]))
    else:
        inner_html = esc(inner)
    return (esc(text[:a]) + f'<mark class="excerpt" id="excerpt">{inner_html}</mark>'
            + esc(text[b:])).replace("\n", "<br>")


def briefing_html(briefing: Briefing | None, spans: dict[int, list[tuple[int, int, int]]],
                  turn: int | None = None, passage: int | None = None,
                  cited: tuple[int, int] | None = None) -> str:
    """The whole transcript in turns (speaker, role, the question an answer follows when it is
    not the turn just before), the linked excerpt highlighted: the passage `passage` (its cited
    words `cited`, offsets in the passage), else the whole turn `turn`. assets/head.html
    scrolls to it."""
    if briefing is None:
        return ('<div class="empty">This briefing is not in the index (it may have been '
                "removed, or the link belongs to another index).</div>")
    where = {pid: (order, a, b) for order, cuts in spans.items() for pid, a, b in cuts}
    target = where.get(passage) if passage is not None else None
    if target is None or (turn is not None and target[0] != turn):
        target, cited = ((turn, 0, None) if turn is not None else None), None
    people = "; ".join(esc(", ".join(x for x in (p.name, p.post) if x))
                       for p in briefing.participants)
    head = (f'<div class="briefing-head"><h3>{_link(briefing.title, briefing.location)}</h3>'
            f'<p><span class="date">{esc(briefing.date or "undated")}</span> '
            f'<span class="family">{esc(FAMILIES.get(briefing.source, briefing.source))}</span>'
            + (f' · <a href="{esc(briefing.location)}" target="_blank" rel="noopener noreferrer">'
               "original page</a>" if urlparse(briefing.location).scheme in ("http", "https")
               else "")
            + "</p>" + (f'<p class="people">{people}</p>' if people else "") + "</div>")
    rows = []
    previous = ""
    for t in briefing.turns:
        excerpt = None
        if target is not None and t.order == target[0]:
            excerpt = (target[1], target[2] if target[2] is not None else len(t.text))
        follows = (f'<div class="follows"><span class="what">Answers:</span> {esc(t.question)}'
                   "</div>" if t.question and t.question != previous else "")
        rows.append(f'<div class="turn-row role-{esc(t.role)}" id="turn-row-{t.order}">'
                    f'<div class="who"><span class="speaker">{esc(t.speaker)}</span> '
                    f'<span class="role">{esc(t.role)}</span></div>{follows}'
                    f'<div class="words">{_turn_text(t.text, excerpt, cited)}</div></div>')
        previous = t.text
    return f'<div class="briefing-view" data-briefing="{esc(briefing.id)}">{head}{"".join(rows)}</div>'
