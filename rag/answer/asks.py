"""What kind of answer a question asks for, and whether a sentence gives that kind.

    "How many ..." -> number, "When ..." -> date, "Who ..." -> name, "Where ..." -> place,
    "Did X call Y a liar?" -> claim (yes or no), anything else -> "" (a description)

Evidence selection prefers sentences that give the kind asked; the answer says so when no
evidence gives a figure asked for, and a "yes" to a claim needs evidence stating the claim.
"""
from __future__ import annotations

import re

from rag.citations.figures import figures
from rag.text.dates import MONTH
from rag.text.terms import stems

NUMBER, DATE, NAME, PLACE, CLAIM = "number", "date", "name", "place", "claim"

_ASKS = [
    (NUMBER, re.compile(r"\bhow (?:many|much)\b|\bwhat (?:share|percentage|proportion|"
                        r"percent|number|amount|rate|total|figures?)\b|\bwhat (?:\w+ )?"
                        r"(?:figures?|numbers?|total|rate)\b|\bhow (?:large|big|high|low)\b",
                        re.I)),
    (DATE, re.compile(r"^\s*(?:when|on what (?:date|day)|what (?:date|day)s?|by when|"
                      r"since when)\b|\b(?:what|which) (?:dates?|days?|month|year)\b|"
                      r"\bwhat (?:were|was|are|is) the (?:dates?|days?)\b", re.I)),
    (NAME, re.compile(r"^\s*(?:who|whom)\b|\bwho (?:did|was|were|is|will|would|led|"
                      r"headed)\b|\bwhich (?:official|minister|leader|envoy|person|country|"
                      r"countries|company|companies)\b", re.I)),
    (PLACE, re.compile(r"^\s*where\b|\bwhere (?:was|were|is|will|did|would)\b|\bin which "
                       r"(?:city|country|place)\b|\bwhat (?:city|venue|place)\b", re.I)),
    (CLAIM, re.compile(r"^\s*(?:did|does|do|is|are|was|were|has|have|had|will|would|can|"
                       r"could)\b", re.I)),
]
_NUMBER_WORDS = frozenset(stems("dozens hundreds thousands millions billions trillions percent"))
_YEAR = re.compile(r"(?:19|20)\d\d")
_DATE = re.compile(r"\b" + MONTH + r"\s+\d{1,2}\b|\b\d{1,2}\s+" + MONTH
                   + r"|\b" + MONTH + r"\s+(?:19|20)\d\d\b|\b(?:19|20)\d\d-\d\d-\d\d\b|\b(?:yesterday|today|tomorrow|"
                   r"(?:next|last|this) (?:week|month|year)|on (?:monday|tuesday|wednesday|"
                   r"thursday|friday|saturday|sunday))\b", re.I)
# A capitalised word that does not open the sentence: a name (of a person, place, body).
_CAPITAL = re.compile(r"(?<=[\w,;:)] )[A-Z][a-z'\u2019-]+|(?<=[\w,;:)] )[A-Z]{2,}\b")
_PLACE = re.compile(r"\b(?:in|at|to|from)\s+(?:the\s+)?[A-Z][\w'-]+")


def asked_kind(question: str) -> str:
    """The kind of answer `question` asks for: number, date, name, place, claim or ""."""
    for kind, pattern in _ASKS:
        if pattern.search(question):
            return kind
    return ""


def gives(kind: str, sentence: str) -> bool:
    """Whether `sentence` gives an answer of `kind` (a claim or a description: any sentence)."""
    if kind == NUMBER:
        return states_figure(sentence)
    if kind == DATE:
        return bool(_DATE.search(sentence))
    if kind == NAME:
        return bool(_CAPITAL.search(sentence))
    if kind == PLACE:
        return bool(_PLACE.search(sentence))
    return True


def states_figure(sentence: str) -> bool:
    """Whether `sentence` gives an amount: a number other than a year, or "millions"..."""
    digits = figures(sentence)
    spelled = figures(sentence, spelled=True) - ({"1"} - digits)  # "one of them" gives none
    return bool(set(stems(sentence)) & _NUMBER_WORDS) or any(
        not _YEAR.fullmatch(f) for f in spelled)
