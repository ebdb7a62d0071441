"""Refusals: the one refusal text, and recognising a model reply that declines in any wording.

A reply declines when some sentence says the passages do not answer (in so many words, in the
first person, or apologising) and no sentence, nor a clause after a "but", makes a cited claim.
"""
from __future__ import annotations

import re

from rag.citations.draft import answer_sentences
from rag.citations.markers import markers, strip_markers
from rag.text.normalize import normalize

REFUSAL = "The briefings in the index don't answer this."
# A comparison's side that no passage was found for (no statement by that speaker, or in that
# period, matches the topic).
NOTHING_FOUND = "no statement on this in the briefings in the index."

# What the model calls the passages when it declines.
_PASSAGE_WORDS = (r"(?:passages?|excerpts?|context|briefings?|sources?|texts?|documents?|"
                  r"transcripts?|provided|given)")
# Declining in so many words: about the passages, in the first person, or apologising.
_DECLINING = [re.compile(p) for p in (
    r"\b(?:don't|do not|does not|doesn't|cannot|can't) answer this\b",
    r"(?:information|" + _PASSAGE_WORDS + r")\b[^.]{0,60}"
    r"\b(?:do|does|did|is|are|was|were|can|could)(?:n't| not)\b"
    r"[^.]{0,40}\b(?:contain|mention|provide|include|say|specify|address|discuss|answer|state|"
    r"indicate|give|cover|refer|offer|describe|reveal|have|has|talk|touch|list|detail|explain|"
    r"report)",
    r"\b(?:none of the|neither of the|nothing in the|no)\s+(?:\w+\s+)?" + _PASSAGE_WORDS,
    r"\b(?:i|we)\s+(?:cannot|can't|can not|am unable to|are unable to|am not able to|"
    r"could not|couldn't|do not have|don't have)\b",
    r"\b(?:cannot|can't|could not) be (?:answered|determined|found|identified|inferred)\b",
    r"\b(?:not possible|impossible) to (?:answer|determine|tell|say|know)\b",
    r"^(?:i'm sorry|i am sorry|sorry|unfortunately|i apologi[sz]e)\b",
    r"\bi (?:don't|do not) know\b",
)]
# Phrases that decline only in a sentence citing nothing (officials say "no details" too).
_DECLINING_UNCITED = [re.compile(p) for p in (
    r"\bno (?:specific |further |additional )?(?:information|mention|details?|answer|indication|"
    r"data|reference)\b",
    r"\bnot (?:mentioned|provided|specified|stated|included|available|found|addressed|"
    r"discussed|given|contained|covered)\b",
)]
# Whole replies that name no fact ("None [1]."), markers and punctuation aside.
_NON_ANSWERS = frozenset({"", "none", "n a", "unknown", "no answer", "not mentioned",
                          "not specified", "not stated"})
_BUT = re.compile(r",?\s+\b(?:but|however|although|though|yet)\b", re.I)


def _refusing(sentence: str) -> bool:
    text = normalize(sentence)
    return (any(p.search(text) for p in _DECLINING)
            or (not markers(sentence)
                and any(p.search(text) for p in _DECLINING_UNCITED)))


def is_refusal(text: str) -> bool:
    """True when the reply says, in any wording, that the passages don't answer the question:
    some sentence declines and no sentence (or clause after a "but") makes a cited claim."""
    if re.sub(r"[\W_]+", " ", strip_markers(text)).strip().lower() in _NON_ANSWERS:
        return True
    declines = False
    for a, b in answer_sentences(text):
        sentence = text[a:b]
        if not _refusing(sentence):
            if markers(sentence):
                return False
            continue
        declines = True
        clauses = _BUT.split(sentence)
        if len(clauses) > 1 and any(markers(c) and not _refusing(c) for c in clauses[1:]):
            return False
    return declines
