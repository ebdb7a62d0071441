"""The question plan: one question parsed once and handed down to every stage that reads it.

    question (+ conversation) -> follow-up rewritten -> speakers and periods it names (hints)
    -> a comparison's sides, or one answer -> the names it asks about -> the kind of answer
    it asks for (rag.answer.asks)

Retrieval, comparison sides, refusals and the answer all read the plan; none parses the
question again. With hints off the sides are still found (a comparison's sides are hard
filters), but no search is steered by the names and dates the question holds.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from rag.answer.asks import asked_kind
from rag.answer.followup import rewrite_followup, without_names
from rag.answer.records import Answer
from rag.answer.sides import Side, sides_in
from rag.filters import Filters
from rag.search.hints import Hints, infer
from rag.text.dates import MONTH_NAMES
from rag.verify.quoted import asked_claim
from rag.verify.records import Claim

_NAME = re.compile(r"(?<![\w'\u2019-])[A-Z][\w'\u2019-]*[A-Za-z0-9]")
_NOT_NAMES = frozenset(MONTH_NAMES) | frozenset(
    "monday tuesday wednesday thursday friday saturday sunday".split())


def names_in(question: str) -> list[str]:
    """Capitalised words of a question that do not open a sentence (3 characters or more,
    no month or day names), without a possessive 's: the names it asks about."""
    found = []
    for m in _NAME.finditer(question):
        before = question[:m.start()].rstrip()
        word = re.sub(r"['\u2019]s$", "", m.group(0))
        if before and before[-1] not in ".?!:" and len(word) >= 3 \
                and word.lower() not in _NOT_NAMES:
            found.append(word)
    return list(dict.fromkeys(found))



@dataclass
class Plan:
    """What a question asks, parsed once."""

    question: str                      # as asked
    text: str                          # self-contained: a follow-up rewritten
    filters: Filters                   # the caller's hard limits
    hints: Hints                       # what the text names, steering the search (none when off)
    sides: list[Side] = field(default_factory=list)   # a comparison's; [] for one answer
    topic: str = ""                    # what each side is searched for
    side_hints: Hints = field(default_factory=Hints)  # the hints each side's search keeps
    names: list[str] = field(default_factory=list)    # capitalised names it asks about
    kind: str = ""                     # the answer asked for: number, date, name, place, claim
    claim: Claim | None = None         # quoted words it asks about ('Who said "..."?')


def plan_question(question: str, known_speakers: Sequence[str], filters: Filters | None = None,
                  history: Sequence[Answer] = (), use_hints: bool = True,
                  sides: Sequence[Side] = (), quote_min_words: int = 4) -> Plan:
    """The plan of `question`, a follow-up of `history`, under the caller's `filters`.

    `sides` fixes a comparison's sides (the app's Compare tab picks the speakers); otherwise
    they come from what the question names. A question about quoted words of
    `quote_min_words` or more ('Did Vale say "..."?') carries them as a claim to check."""
    filters = filters or Filters()
    known = list(known_speakers)
    named = infer(question, known)
    text = rewrite_followup(question, named.speakers, history, known)
    hints = named if text == question else infer(text, known)
    sides = list(sides) or sides_in(hints, filters)
    speakers = [name for side in sides for name in side.filters.speakers]
    if sides and sides[0].across_briefings:
        # periods compared: each period is its side's filter, the rest of the question the topic
        topic, side_hints = hints.remainder, Hints(remainder=hints.remainder)
    else:
        topic = without_names(text, speakers)
        side_hints = Hints(periods=hints.periods, remainder=hints.remainder)
    if not use_hints:
        hints = side_hints = Hints()
    days = [a for a, b in named.periods if a == b]
    claim = None if sides else asked_claim(question, known, days[0] if len(days) == 1 else None,
                                           quote_min_words)
    return Plan(question, text, filters, hints, sides, topic if sides else "", side_hints,
                names_in(text), asked_kind(topic if sides else text), claim)
