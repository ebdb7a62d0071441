"""Quotations in text: a pasted article's, each with the official it is attributed to, and
the quotation a chat question asks about ('Who said "..."?', 'Did Vale say "..."?').

A quotation of `min_words` words or more (shorter ones are phrases, not quotes) is credited to
the speaker the writer names beside it, in the same sentence: after it ('..., Geng Shuang
said', '... ," said Jean-Pierre') or before it ('Jean-Pierre told reporters: "..."'); a pronoun
there ('she said') means the last person named before. A name is resolved against the index's
speakers: in full, or by one word of a name that only one of them has ('Geng', 'Jean-Pierre').
Dates are left to the check: an article's 'on Monday' names no day the check can use.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from rag.citations.quotes import quotations
from rag.text.align import words
from rag.verify.records import Claim

_NAME = re.compile(r"\b[A-Z][\w'\u2019-]*(?:\s+[A-Z][\w'\u2019-]*)*")
_PRONOUN = re.compile(r"\b(?:he|she|they)\s+(?:said|added|says|told|noted|stressed|continued)\b",
                      re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z\"\u201c])|\n")


@dataclass
class Quoted:
    """A quotation found in an article: the claim to check and where it stands."""

    claim: Claim
    start: int
    end: int


def named_speakers(text: str, known: Sequence[str]) -> list[tuple[int, str]]:
    """(offset, speaker) for every known speaker `text` names, in full or by a word only one
    of them has, in order."""
    owners: dict[str, list[str]] = {}
    for name in known:
        for w in {w for w in re.findall(r"[\w'-]+", name.lower()) if len(w) >= 3}:
            owners.setdefault(w, []).append(name)
    found = []
    for m in _NAME.finditer(text):
        phrase = m.group(0)
        full = next((n for n in known if n.lower() in phrase.lower()), None)
        if full:
            found.append((m.start(), full))
            continue
        for w in re.findall(r"[\w'-]+", phrase.lower()):
            if len(owners.get(w, ())) == 1:
                found.append((m.start(), owners[w][0]))
                break
    return found


def quoted(text: str, known_speakers: Sequence[str], min_words: int = 4) -> list[Quoted]:
    """Every quotation of `min_words` words or more in `text`, credited to its speaker."""
    named = named_speakers(text, known_speakers)
    found: list[Quoted] = []
    for outer_a, outer_b, inner_a, inner_b in quotations(text):
        quote = text[inner_a:inner_b]
        if len(words(quote).words) < min_words:
            continue
        after_end = _SENTENCE_END.search(text, outer_b)
        after = (outer_b, after_end.start() if after_end else len(text))
        before_start = max([m.end() for m in _SENTENCE_END.finditer(text, 0, outer_a)] or [0])
        speaker = next((name for at, name in named if after[0] <= at < after[1]), None) or \
            next((name for at, name in reversed(named) if before_start <= at < outer_a), None)
        if speaker is None and _PRONOUN.search(text, after[0], after[1]):
            speaker = next((name for at, name in reversed(named) if at < outer_a), None)
        found.append(Quoted(Claim(" ".join(quote.split()), speaker), outer_a, outer_b))
    return found


# A question about quoted words: they follow a verb of saying ('Did Vale say "..."', 'Who said
# "..."'), or the question asks about a quote or who said it ('"..." - who said this?').
# 'What did Vale say about "the dam"?' quotes a topic, not words to check.
_SAID_BEFORE = re.compile(r"\b(?:say|says|said|saying|state|stated|write|wrote|tell|told|use|"
                          r"used|call|called)\b(?:(?!\b(?:about|regarding|on the)\b)"
                          r"[^.?!]){0,40}$", re.I)
_ASKS_QUOTE = re.compile(r"\b(?:quote|quotation|quoted|who (?:said|says|wrote))\b", re.I)


def asked_quote(question: str, min_words: int = 4) -> tuple[str, str] | None:
    """(the quoted words, the question without them) when `question` quotes `min_words` words
    or more and asks about them; else None."""
    for outer_a, outer_b, inner_a, inner_b in quotations(question):
        quote = question[inner_a:inner_b]
        rest = question[:outer_a] + " " + question[outer_b:]
        if len(words(quote).words) >= min_words and (
                _SAID_BEFORE.search(question[:outer_a]) or _ASKS_QUOTE.search(rest)):
            return " ".join(quote.split()), " ".join(rest.split())
    return None


def asked_claim(question: str, known_speakers: Sequence[str], day: str | None,
                min_words: int = 4) -> Claim | None:
    """The claim a question asks to check: its quoted words, credited to the speaker it names
    outside them (in full, or by a word only one speaker has) on `day` (a single day the
    question names); None when it asks about no quote."""
    asked = asked_quote(question, min_words)
    if asked is None:
        return None
    quote, rest = asked
    named = named_speakers(rest, known_speakers)
    return Claim(quote, named[0][1] if named else None, day)
