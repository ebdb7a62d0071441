"""The records that flow through the pipeline: a Briefing made of Turns, cut into Passages.

Readers produce Briefings with their Turns; chunking turns official answers into Passages;
the store keeps all three; retrieval returns Passages with scores. Nothing here knows how it
is stored or searched.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Roles a speaker can have within one briefing.
OFFICIAL = "official"
JOURNALIST = "journalist"
CHAIR = "chair"
ROLES = (OFFICIAL, JOURNALIST, CHAIR)

# Words that make a speaker label a role rather than a person's name ("Senior Administration
# Official", "Aide", "Moderator"): such speakers are listed apart and never merged by surname.
ROLE_WORDS = {"official", "officials", "aide", "participant", "operator", "moderator", "member",
              "members", "interpreter", "crew", "staff", "staffer", "spokesperson", "audience",
              "photojournalist", "reporter", "announcer", "journalist", "unidentified"}


def names_a_role(speaker: str) -> bool:
    """Whether a speaker label names a role ("Fbi Official", "Aide"), not a person."""
    return any(w.strip(".,()").lower() in ROLE_WORDS for w in speaker.split())


# Source families, one reader module each.
SCIO = "scio"
MFA = "mfa"
WHITEHOUSE = "whitehouse"
GENERIC = "generic"
SOURCES = (SCIO, MFA, WHITEHOUSE, GENERIC)


@dataclass
class Participant:
    """Someone on the podium: canonical name and the post the briefing gives them."""

    name: str
    post: str = ""
    role: str = OFFICIAL


@dataclass
class Turn:
    """One speaker's uninterrupted contribution, in briefing order.

    `question` is the text of the journalist question this turn answers (set on official
    turns that follow a question), so retrieval can match on what was asked.
    """

    order: int
    speaker: str
    role: str
    text: str
    outlet: str = ""
    page: int = 1
    question: str = ""


@dataclass
class Briefing:
    """One press conference as published: header facts plus its turns in order."""

    id: str
    title: str
    date: str  # ISO YYYY-MM-DD
    source: str  # one of SOURCES
    location: str = ""  # URL when known, else the file path it was read from
    participants: list[Participant] = field(default_factory=list)
    chair: str = ""
    turns: list[Turn] = field(default_factory=list)

    def speakers(self) -> list[str]:
        """Distinct official speakers, in order of first appearance."""
        seen: dict[str, None] = {}
        for turn in self.turns:
            if turn.role == OFFICIAL:
                seen.setdefault(turn.speaker, None)
        return list(seen)


@dataclass
class BriefingTurn:
    """A stored turn with the facts of its briefing: who said these words, when and where."""

    id: int
    text: str
    speaker: str
    role: str
    order: int
    question: str
    briefing_id: str
    title: str
    date: str
    source: str
    location: str


@dataclass
class Passage:
    """A retrievable excerpt: the speaker's exact words from one turn, with its context.

    `text` is always verbatim source text (a whole turn or a run of its sentences).
    """

    text: str
    speaker: str
    role: str
    date: str
    title: str
    source: str
    location: str
    briefing_id: str
    turn_order: int
    page: int = 1
    question: str = ""
    id: int = 0
    score: float = 0.0
    post: str = ""      # the speaker's post in this briefing's roster, when it gives one

    def as_dict(self) -> dict:
        """The `retrieved` record of the eval contract (plus the extra context we carry)."""
        return {
            "text": self.text,
            "speaker": self.speaker,
            "role": self.role,
            "date": self.date,
            "title": self.title,
            "source": self.location,
            "family": self.source,
            "briefing_id": self.briefing_id,
            "page": self.page,
            "question": self.question,
            "post": self.post,
            "score": round(float(self.score), 6),
            "passage_id": self.id,
        }


def citation_text(passage: "Passage", words: str) -> str:
    """One excerpt cited in full: who said it (their post when the briefing gives one), the
    briefing's title, date and address, then the exact words."""
    p = passage
    who = ", ".join(x for x in (p.speaker, p.post) if x)
    where = ", ".join(x for x in (f'"{p.title}"', p.date, p.location) if x)
    return f'{who}, {where}: "{words}"'


def ranked_records(passages: list[Passage]) -> list[dict]:
    """Passages, best first, as the eval contract's `retrieved` entries (rank from 1)."""
    return [{"rank": rank, **p.as_dict()} for rank, p in enumerate(passages, 1)]
