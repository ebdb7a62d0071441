"""Speaker names within one briefing: "Mr. Jin", "Minister Jin" and "Jin Zhuanglong" are one person.

A SpeakerNames holds the full names a briefing announces (header, title, introductions) and
maps every label a transcript uses to one canonical full name.
"""
from __future__ import annotations

import re
from typing import Iterable

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
    return re.sub(r"[A-Za-z]+", lambda m: m.group(0).capitalize(), name.lower())


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

    def resolve(self, label: str) -> str:
        """The full name `label` refers to; an unknown label comes back cleaned of titles."""
        bare = display_case(strip_titles(label))
        key = bare.lower()
        for name in self.full_names:
            if name.lower() == key:
                return name
        tokens = key.split()
        matches = [n for n in self.full_names
                   if tokens and all(t in n.lower().split() for t in tokens)]
        if len(matches) == 1:
            return matches[0]
        return bare
