"""What an answer may cite: the passages numbered 1..n, with what the model was shown of each.

The stems and figures of every passage are computed once here and read by every check step.
A part of an answer (one side of a comparison) sees only its own passages: the others are
blank, so their markers are invalid and their words state nothing.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from rag.citations.figures import figures
from rag.text.terms import stems


@dataclass
class Evidence:
    """Passage texts numbered from 1; `shown[n-1]` is what else the model read with passage n
    (its date, title and the question) and `asked[n-1]` the journalist's question it answers."""

    passages: list[str]
    shown: list[str] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        count = len(self.passages)
        self.shown = list(self.shown) or [""] * count
        self.asked = list(self.asked) or [""] * count
        context = [f"{extra} {p}" for p, extra in zip(self.passages, self.shown)]
        self.stems = [set(stems(p)) for p in self.passages]
        # a sentence's figures and words may come from the passage or what was shown with it
        self.held_stems = [s | set(stems(c)) for s, c in zip(self.stems, context)]
        self.held_figures = [figures(c, spelled=True) for c in context]
        self.stated_figures = [figures(p, spelled=True) for p in self.passages]
        self.said = set().union(*self.stems) if count else set()
        self.asked_stems = set(stems(" ".join(self.asked)))

    def __len__(self) -> int:
        return len(self.passages)

    def blank(self) -> set[int]:
        """Markers of passages this evidence does not hold (another part's)."""
        return {n for n, p in enumerate(self.passages, 1) if not p}

    def only(self, markers: Collection[int]) -> "Evidence":
        """The same numbering with every passage but `markers` blank."""
        keep = set(markers)
        pick = [n in keep for n in range(1, len(self) + 1)]
        return Evidence([p if k else "" for p, k in zip(self.passages, pick)],
                        [s if k else "" for s, k in zip(self.shown, pick)],
                        [a if k else "" for a, k in zip(self.asked, pick)])
