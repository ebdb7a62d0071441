"""What a quote check takes and gives: the claim (words, speaker, date), where the words were
found in a turn, and the verdict with its differences and other occurrences."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.records import BriefingTurn
from rag.text.align import Alignment, Difference
from rag.text.sentences import sentence_spans

VERBATIM = "verbatim"
ALTERED = "altered"
MISATTRIBUTED = "misattributed"
NOT_FOUND = "not_found"
VERDICTS = (VERBATIM, ALTERED, MISATTRIBUTED, NOT_FOUND)

# Words that name a post, not a person: "Press Secretary Jean-Pierre" is Jean-Pierre.
_TITLES = frozenset("mr mrs ms miss dr madam sir secretary press deputy principal spokesperson "
                    "spokesman spokeswoman minister ambassador president vice general director "
                    "adviser advisor national security foreign ministry".split())


def _name_words(name: str) -> set[str]:
    return {w for w in re.findall(r"\w+", name.lower()) if w not in _TITLES}


def same_person(claimed: str, speaker: str) -> bool:
    """Whether a name as a writer gives it ("Jean-Pierre", "Ms. Jean-Pierre", "Geng Shuang")
    can be this transcript speaker: every word of the name, posts aside, is in theirs."""
    wanted = _name_words(claimed)
    return bool(wanted) and wanted <= _name_words(speaker)


@dataclass
class Claim:
    """A quote as a writer gives it: the words, and whom and when (if anyone) they credit."""

    quote: str
    speaker: str | None = None
    date: str | None = None

    def speaker_fits(self, turn: BriefingTurn) -> bool:
        return not self.speaker or same_person(self.speaker, turn.speaker)

    def date_fits(self, turn: BriefingTurn) -> bool:
        return not self.date or self.date == turn.date

    def credits(self, turn: BriefingTurn) -> bool:
        """Whether `turn` is who and when the claim says."""
        return self.speaker_fits(turn) and self.date_fits(turn)

    def as_dict(self) -> dict:
        return {"quote": self.quote, "speaker": self.speaker, "date": self.date}


@dataclass
class Match:
    """A turn's words closest to the quote (verbatim, or with differences)."""

    turn: BriefingTurn
    alignment: Alignment

    @property
    def text(self) -> str:
        """The exact transcript words matched."""
        return self.turn.text[self.alignment.start:self.alignment.end]

    @property
    def excerpt(self) -> tuple[int, int]:
        """Offsets of the sentences in the turn that hold the matched words."""
        a, b = self.alignment.start, self.alignment.end
        around = [s for s in sentence_spans(self.turn.text) if s[0] < b and a < s[1]]
        return (around[0][0], around[-1][1]) if around else (a, b)

    def as_dict(self, whole_turn: bool = True) -> dict:
        t = self.turn
        start, end = self.excerpt
        found = {"speaker": t.speaker, "role": t.role, "date": t.date, "title": t.title,
                 "source": t.location, "url": t.location if t.location.startswith("http") else "",
                 "briefing_id": t.briefing_id, "turn": t.order, "text": self.text,
                 "start": self.alignment.start, "end": self.alignment.end,
                 "excerpt": t.text[start:end], "similarity": round(self.alignment.similarity, 4),
                 "verbatim": self.alignment.verbatim}
        if whole_turn:
            found.update(turn_text=t.text, question=t.question)
        return found


@dataclass
class QuoteCheck:
    """The verdict on a claim, what it rests on, and every other place the words occur."""

    claim: Claim
    verdict: str
    found: Match | None
    occurrences: list[Match] = field(default_factory=list)  # other turns with the words, by date
    nearest: list[Match] = field(default_factory=list)      # not found: the closest words
    searched: int = 0                                       # briefings in the index
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def differences(self) -> list[Difference]:
        return self.found.alignment.differences if self.found else []

    def summary(self, detail: bool = True) -> str:
        """The verdict in one sentence a reader can act on; with `detail`, each changed word
        (quoted), else only what kind of change (a chat answer quotes transcript words alone)."""
        claim, found = self.claim, self.found
        if found is None:
            return (f"Not found: no turn of the {self.searched} briefings searched holds these "
                    "words or words close to them; the nearest excerpts follow.")
        t = found.turn
        who = f"{t.speaker} ({t.role})" if t.role != "official" else t.speaker
        where = f"on {t.date}, in {t.title}"
        if self.verdict == VERBATIM:
            return f"Verbatim: {who} said these words {where}."
        changes = "; ".join(describe(d) for d in self.differences) if detail else \
            f"{len(self.differences)} difference{'s' if len(self.differences) != 1 else ''}" + \
            "".join(f", {flag} changed" for flag, on in (
                ("a number", any(d.number for d in self.differences)),
                ("a negation", any(d.negation for d in self.differences))) if on)
        if self.verdict == ALTERED:
            return f"Altered: {who} said words close to these {where}, not these words: {changes}."
        wrong = []
        if not claim.speaker_fits(t):
            wrong.append(f"not by {claim.speaker}")
        if not claim.date_fits(t):
            wrong.append(f"not on {claim.date}")
        said = "these words" if found.alignment.verbatim else f"words close to these ({changes})"
        return f"Misattributed: {who} said {said} {where}" + \
            (f", {' and '.join(wrong)}" if wrong else "") + "."

    def as_dict(self, whole_turn: bool = True) -> dict:
        return {"verdict": self.verdict, "summary": self.summary(), "claim": self.claim.as_dict(),
                "found": self.found.as_dict(whole_turn) if self.found else None,
                "differences": [d.as_dict() for d in self.differences],
                "occurrences": [m.as_dict(whole_turn=False) for m in self.occurrences],
                "nearest": [m.as_dict(whole_turn=False) for m in self.nearest],
                "timings": self.timings}


def describe(d: Difference) -> str:
    """One difference as a reader reads it: 'the transcript has "four" where the quote has
    "five" (a number)'."""
    flags = [f for f, on in (("a number", d.number), ("a negation", d.negation)) if on]
    note = f" ({', '.join(flags)})" if flags else ""
    if d.kind == "inserted":
        return f"the quote adds \u201c{d.quote}\u201d{note}"
    if d.kind == "deleted":
        return f"the quote leaves out \u201c{d.transcript}\u201d{note}"
    return f"the transcript has \u201c{d.transcript}\u201d where the quote has \u201c{d.quote}\u201d{note}"
