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
from typing import Iterable, Sequence
from urllib.parse import urlparse

import pandas as pd

from rag.answer.compare import Comparison
from rag.answer.records import Answer, Source
from rag.answer.refusals import REFUSAL
from rag.answer.timeline import Statement
from rag.citations.markers import MARKER, marker_numbers
from rag.filters import Filters
from rag.records import GENERIC, MFA, SCIO, WHITEHOUSE, Passage
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
    """One excerpt: who said it, when, in which briefing, what was asked, and the words."""
    p = passage
    asked = (f'<div class="asked"><span class="what">Asked:</span> {esc(p.question)}</div>'
             if p.question else "")
    ident = f' id="{anchor}"' if anchor else ""
    marker = f'<span class="marker">{label}</span> ' if label else ""
    return (
        f'<details class="source"{ident}{" open" if open_ else ""}>'
        f'<summary>{marker}<span class="speaker">{esc(p.speaker)}</span> '
        f'<span class="role">{esc(p.role)}</span> <span class="date">{esc(p.date)}</span></summary>'
        f'<div class="briefing">{_link(p.title, p.location)} '
        f'<span class="family">{esc(FAMILIES.get(p.source, p.source))}</span></div>'
        f'{asked}<blockquote class="passage">{_highlighted(p.text, given, cited)}</blockquote>'
        "</details>")


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


def chat_messages(history: Sequence[Answer], current: Answer | None = None,
                  partial: str = "", status: str = "") -> list[dict]:
    """The conversation for gr.Chatbot: finished answers, then the one in progress."""
    messages: list[dict] = []
    for turn, answer in enumerate(history, 1):
        messages += [{"role": "user", "content": esc(answer.question)},
                     {"role": "assistant", "content": answer_markdown(answer, f"src-{turn}")}]
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
    return (f'<details class="turn" id="turn-{turn}"{" open" if latest else ""}>'
            f'<summary>{heading} for <q>{esc(answer.question)}</q></summary>'
            f"{cards}{more}</details>")


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


def timeline_frame(statements: Sequence[Statement]) -> pd.DataFrame:
    """One row per statement, for the plot (date, relevance, colour by speaker) and the table."""
    rows = [{"date": pd.Timestamp(s.date), "speaker": s.speaker,
             "relevance": round(s.similarity, 3), "excerpt": " ".join(s.excerpt.split()),
             "briefing": s.passage.title, "source": s.passage.location} for s in statements]
    columns = ["date", "speaker", "relevance", "excerpt", "briefing", "source"]
    return pd.DataFrame(rows, columns=columns)


def timeline_span(frame: pd.DataFrame) -> list[float] | None:
    """x-axis limits (epoch seconds) a little wider than the statements' dates, so no point sits on
    the plot's edge; None for an empty frame."""
    if frame.empty:
        return None
    first, last = frame["date"].min(), frame["date"].max()
    pad = max(pd.Timedelta(days=3), (last - first) * 0.04)
    return [(first - pad).timestamp(), (last + pad).timestamp()]


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
