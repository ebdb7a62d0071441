"""Speakers within one briefing: "Mr. Jin", "Minister Jin" and "Jin Zhuanglong" are one person.

A SpeakerNames holds the full names a briefing announces (header, title, introductions) and
maps every label a transcript uses to one canonical full name. `outlet_of` tells a journalist's
label ("Xinhua News Agency", "Reporter from Yicai") from a person's, and `sequence_turns` gives
finished turns their order and the question each official answer follows.
"""
from __future__ import annotations

import re
from typing import Iterable

from rag.records import JOURNALIST, OFFICIAL, Turn
from rag.text.procedural import asks

# Words that precede a name in a speaker label but are not part of it.
_TITLES = {
    "mr", "mrs", "ms", "miss", "madam", "madame", "dr", "prof", "professor", "sir",
    "minister", "vice", "deputy", "director", "director-general", "general", "secretary",
    "spokesperson", "spokesman", "spokeswoman", "ambassador", "admiral", "adm", "senator",
    "governor", "mayor", "chairman", "chairwoman", "chair", "commissioner", "administrator",
    "president", "premier", "representative", "rep", "sen", "gov", "lt", "col", "captain",
    "colonel", "lieutenant", "major", "sergeant", "chief", "officer", "attorney",
}


def _words(label: str) -> list[str]:
    return [w for w in re.split(r"[\s.]+", label.strip()) if w]


def strip_titles(label: str) -> str:
    """'Minister Jin' -> 'Jin'; 'MS. JEAN-PIERRE' -> 'JEAN-PIERRE'."""
    words = _words(label)
    while len(words) > 1 and words[0].lower() in _TITLES:
        words = words[1:]
    return " ".join(words)


def display_case(name: str) -> str:
    """'JEAN-PIERRE' -> 'Jean-Pierre', "O'NEILL" -> "O'Neill"; mixed-case names are kept."""
    if name.upper() != name:
        return name
    return re.sub(r"[^\W\d_]+", lambda m: m.group(0).capitalize(), name.lower())


class SpeakerNames:
    """Maps the labels used in one briefing to canonical full names."""

    def __init__(self, full_names: Iterable[str] = ()) -> None:
        self.full_names: list[str] = []
        for name in full_names:
            self.add(name)

    def add(self, full_name: str) -> None:
        full_name = " ".join(full_name.split())
        if full_name and full_name not in self.full_names:
            self.full_names.append(full_name)

    def matches(self, label: str) -> list[str]:
        """Every full name `label` could refer to: the exact one, else those holding all its
        words."""
        key = strip_titles(label).lower()
        for name in self.full_names:
            if name.lower() == key:
                return [name]
        tokens = key.split()
        return [n for n in self.full_names
                if tokens and all(t in n.lower().split() for t in tokens)]

    def resolve(self, label: str) -> str:
        """The full name `label` refers to; an unknown or ambiguous label comes back cleaned of
        titles."""
        matches = self.matches(label)
        if len(matches) == 1:
            return matches[0]
        return display_case(strip_titles(label))


# Words that make a speaker label a media outlet rather than a person ("Phoenix TV",
# "Hong Kong Bauhinia Magazine", "Ta Kung Pao"); compared lower-case, word by word.
_OUTLET_WORDS = {
    "news", "agency", "magazine", "daily", "times", "tv", "television", "radio", "network",
    "press", "media", "post", "channel", "weekly", "monthly", "journal", "herald", "tribune",
    "gazette", "chronicle", "telegraph", "guardian", "observer", "economist", "newspaper",
    "broadcasting", "broadcast", "online", "wire", "pao", "po", "bloomberg", "reuters",
    "phoenix", "cctv", "cgtn", "cnr", "cri", "cmg", "xinhua", "caixin", "yicai", "jiemian",
    "afp", "ap", "efe", "dpa", "ansa", "nhk", "bbc", "cnn", "cnbc", "abc", "cbs", "nbc", "npr",
    "kyodo", "yonhap", "sputnik", "tass", "nikkei", "asahi", "yomiuri", "mainichi", "jazeera",
    "politico", "axios", "newsweek", "forbes", "bernama", "antara", "courier", "dispatch",
    "inquirer", "bulletin", "examiner",
}
_DOMAIN = re.compile(r"\.(?:com|cn|net|org)$", re.I)
# "Reporter from Yicai", "CCTV reporter", "Journalist"; "Q"/"Question" mark an unnamed asker.
_ROLE_WORD = r"(?:reporter|correspondent|journalist)s?"
_ROLE_FIRST = re.compile(
    rf"(?:an?\s+|the\s+)?{_ROLE_WORD}(?:\s+(?:from|with|of|at)\s+(?P<outlet>.+))?", re.I)
_ROLE_LAST = re.compile(rf"(?P<outlet>.+?)(?:'s)?\s+{_ROLE_WORD}", re.I)
_UNNAMED_ASKERS = {"q", "question", "press", "media", "audience", "audience member"}


def outlet_of(label: str) -> str | None:
    """The outlet a journalist's label names ('Xinhua News Agency' -> itself, 'Reporter from
    Yicai' -> 'Yicai'), '' for a journalist of no named outlet ('Q', 'Reporter'), None for a
    label that does not name a journalist (a person, 'THE PRESS SECRETARY')."""
    label = " ".join(label.strip().rstrip(":").split())
    for pattern in (_ROLE_FIRST, _ROLE_LAST):
        m = pattern.fullmatch(label)
        if m:
            return (m.group("outlet") or "").strip()
    if label.lower().rstrip(".") in _UNNAMED_ASKERS:
        return ""
    words = label.split()
    lowered = [w.lower().strip(".,()'\"") for w in words]
    if any(w in _TITLES for w in lowered):
        return None
    if any(w in _OUTLET_WORDS for w in lowered) or any(_DOMAIN.search(w) for w in words):
        return label
    return None


def sequence_turns(turns: list[Turn]) -> list[Turn]:
    """Number turns from 1 in order and give each official turn the text of the most recent
    journalist turn that asks something (`asks`): opening statements before any question keep
    '', and a greeting, a bare "Yes." or an interjection ("That's a pretty good one.") leaves
    the question where it was. Every reader sequences its turns here. Returns `turns`."""
    question = ""
    for order, turn in enumerate(turns, start=1):
        turn.order = order
        if turn.role == JOURNALIST and asks(turn.text):
            question = turn.text
        elif turn.role == OFFICIAL:
            turn.question = question
    return turns
