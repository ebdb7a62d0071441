"""The quote check view: the verdict, the transcript's own words with what differs marked, and
where and when they were said (rag.verify)."""
from __future__ import annotations

from typing import Sequence

from rag.verify.records import Match, QuoteCheck
from ui.views import esc, source_link

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
            f'{source_link(t.title, t.location)}{close}</li>')


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
                     f"{esc(t.date)}</span>, {source_link(t.title, t.location)}</p>")
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
