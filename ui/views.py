"""HTML views of answers, sources, comparisons, index statistics and upload reports, and what
every view shares (escaping, citation chips, source cards, links into the briefing view); the
timeline, quote check and briefing views have modules of their own (timeline_view.py,
quote_view.py, briefing_view.py).

Everything a transcript or a model wrote is data: it is HTML-escaped before it is placed in a
page. Citation markers [n] become chips linking to the source card they cite; the cards carry
ids ("src-<turn>-<n>" in the chat, "cmp-<n>" in a comparison) and assets/head.html opens and
scrolls to them.
"""
from __future__ import annotations

import html
import re
from typing import Iterable, Sequence
from urllib.parse import urlencode, urlparse

from rag.answer.compare import Comparison
from rag.answer.records import Answer, Source
from rag.answer.refusals import REFUSAL
from rag.citations.markers import MARKER, marker_numbers
from rag.filters import Filters
from rag.records import GENERIC, MFA, SCIO, WHITEHOUSE, Passage, citation_text

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


def source_link(title: str, location: str) -> str:
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
        f'<div class="briefing">{source_link(p.title, p.location)} '
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
