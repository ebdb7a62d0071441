"""The briefing view: a whole briefing, turn by turn, the excerpt opened from a citation or a
permalink highlighted in place and scrolled to."""
from __future__ import annotations

from urllib.parse import urlparse

from rag.records import Briefing
from ui.views import FAMILIES, esc, source_link

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
    head = (f'<div class="briefing-head"><h3>{source_link(briefing.title, briefing.location)}</h3>'
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
