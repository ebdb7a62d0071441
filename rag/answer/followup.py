"""Follow-up questions: "What did she say in 2020?" made self-contained with the conversation.

A pronoun becomes the official the conversation was last about (named in the last question, else
cited); an elliptical question ("And in 2020?") gets the previous question's topic.
"""
from __future__ import annotations

import re
from typing import Sequence

from rag.answer.records import Answer
from rag.search.rerank import QUESTION_WORDS
from rag.text.dates import MONTH
from rag.text.terms import stems

_SUBJECT_PRONOUN = re.compile(r"\b(she|he|they)\b", re.I)
_OBJECT_PRONOUN = re.compile(r"\b(him|them)\b|\b(her)\b(?=\s*(?:[?.!,;]|$|\b(?:about|on|in|at|"
                             r"for|to|from|during|when|if|say|said)\b))", re.I)
_POSSESSIVE = re.compile(r"\b(her|his|their)\b", re.I)
_TOPIC_AFTER = re.compile(r"\b(?:about|on|regarding|concerning|over)\s+(.+?)[?.!]*$", re.I)
_DATE_PHRASE = re.compile(r"\b(?:in|on|during|since|by|before|after)\s+(?:(?:early|late|mid)[- ])?"
                          r"(?:" + MONTH + r"\s+(?:\d{1,2},?\s+)?)?(?:19|20)\d{2}\b", re.I)
_FILLER = frozenset("and then later earlier before after time year month day that this there "
                    "so well ok okay what about".split())


def last_speaker(history: Sequence[Answer]) -> str:
    """The official the conversation was last about: named in the last question, else cited."""
    for previous in reversed(history):
        named = previous.filters.speakers or previous.hints.speakers
        if named:
            return named[0]
        if previous.citations:
            return previous.citations[0].source.passage.speaker
    return ""


def without_names(text: str, names: Sequence[str]) -> str:
    """`text` with every mention of `names` (possessive too) taken out."""
    for name in names:
        text = re.sub(r"\b" + re.escape(name) + r"(?:'s)?\b", " ", text, flags=re.I)
    return " ".join(text.split())


def topic_of(question: str, known_speakers: Sequence[str]) -> str:
    """What a question is about: the words after its last 'about/on/...', else its content words
    (speaker names and dates left out)."""
    text = _DATE_PHRASE.sub(" ", without_names(question, known_speakers))
    match = _TOPIC_AFTER.search(text.strip())
    if match and stems(match.group(1)):
        return " ".join(match.group(1).split())
    words = [w for w in re.findall(r"[\w'-]+", text)
             if stems(w) and w.lower() not in QUESTION_WORDS and w.lower() not in _FILLER]
    return " ".join(words)


def rewrite_followup(question: str, named: Sequence[str], history: Sequence[Answer],
                     known_speakers: Sequence[str]) -> str:
    """A self-contained version of a follow-up (`named`: the speakers the question names):
    she/he/they -> the last named speaker; an elliptical question ("And in 2020?") gets the
    previous question's topic."""
    if not history:
        return question
    speaker = named[0] if named else last_speaker(history)
    rewritten = question
    if speaker and not named:
        rewritten = _SUBJECT_PRONOUN.sub(speaker, rewritten)
        rewritten = _OBJECT_PRONOUN.sub(speaker, rewritten)
        rewritten = _POSSESSIVE.sub(f"{speaker}'s", rewritten)
    rest = topic_of(rewritten, list(known_speakers) + ([speaker] if speaker else []))
    if stems(rest) and not re.search(r"\b(?:it|that|this)\b", question, re.I):
        return rewritten
    topic = topic_of(history[-1].query or history[-1].question, known_speakers)
    if not topic:
        return rewritten
    if stems(rest):  # "When did it open?": keep the question, add what "it" is
        return f"{rewritten.rstrip(' ?.!')} (about {topic})?"
    dates = " ".join(m.group(0) for m in _DATE_PHRASE.finditer(question))
    if speaker:
        return f"What did {speaker} say about {topic}{' ' + dates if dates else ''}?"
    return f"{rewritten.rstrip(' ?.!')} about {topic}?"
