"""Evidence as the answer shows it: dated, cited verbatim quotes, and the lines that say what
the evidence does not state.

Without a model (`--no-llm`, or none installed) the answer is the best evidence sentence
quoted, then the next ones; with a model, the same quotes follow its direct sentence.
"""
from __future__ import annotations

import re
from typing import Sequence

from rag.answer.asks import CLAIM, NUMBER, states_figure
from rag.answer.records import Source
from rag.citations.figures import figures
from rag.citations.markers import markers
from rag.text.terms import stems

# Said before the quotes when the evidence lacks what was asked: the quotes are what it says.
NO_FIGURE = "The briefings found give no figure for this; what they say:"
NOT_STATED = "No passage found states this; what the briefings say:"


def quote_line(source: Source) -> str:
    """`source` as a dated, cited quote: 'Name (date): "..." [n]'."""
    words = " ".join(source.text.split())
    quoted = words if re.search(r"[\"\u201c\u201d]", words) else f"\u201c{words}\u201d"
    return f"{source.passage.speaker} ({source.passage.date}): {quoted} [{source.marker}]"


def quotes_text(sources: Sequence[Source], limit: int, first: Sequence[int] = ()) -> str:
    """Up to `limit` of `sources` as quote lines: the markers in `first` (those a model's
    sentence cites) leading, then the rest in evidence order."""
    order = sorted(sources, key=lambda s: (s.marker not in first, s.marker))
    return "\n".join(quote_line(s) for s in order[:max(limit, len(set(first)))])


def claim_terms(question: str, speakers: Sequence[str]) -> tuple[set[str], set[str]]:
    """A yes-or-no question's claim: its names (capitalised words past the first, the speakers
    asked about left out) and its content stems."""
    asker = {w for name in speakers for w in stems(name)}
    words = question.split()[1:]
    names = {w for word in words if word[:1].isupper() for w in stems(word)} - asker
    return names, set(stems(" ".join(words))) - asker


def states_claim(question: str, speakers: Sequence[str], texts: Sequence[str],
                 min_share: float) -> bool:
    """Whether `texts` state the claim of a yes-or-no `question`: every name it holds and
    `min_share` of its content words in one of them."""
    names, words = claim_terms(question, speakers)
    for text in texts:
        held = set(stems(text))
        if names <= held and len(words & held) >= min_share * len(words):
            return True
    return False


def lacking(kind: str, question: str, speakers: Sequence[str], sources: Sequence[Source],
            min_share: float, reply: str = "") -> str:
    """The line saying what the evidence (and a model's `reply`, if any) does not give: no
    figure when one is asked, no statement of a yes-or-no question's claim; "" otherwise."""
    if kind == NUMBER and not any(states_figure(s.text) for s in sources) \
            and not (reply and figures(reply)):
        return NO_FIGURE
    if kind == CLAIM:
        cited = [s.text for s in sources if not reply or s.marker in markers(reply)]
        if not states_claim(question, speakers, cited, min_share):
            return NOT_STATED
    return ""


def extractive_text(kind: str, question: str, speakers: Sequence[str],
                    sources: Sequence[Source], limit: int, min_share: float) -> str:
    """The answer without a model: what the evidence lacks (if anything), then its best
    sentences quoted, the best first."""
    lines = [lacking(kind, question, speakers, sources, min_share),
             quotes_text(sources, limit)]
    return "\n".join(line for line in lines if line)
