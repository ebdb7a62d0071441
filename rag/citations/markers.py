"""Citation markers: the one pattern for "[1]", "[1, 2]", "[Passage 3]", read and rewritten.

Every caller that finds, strips or writes markers (the check, the answer layer, the app's
chips) uses this module, so what counts as a citation is decided in one place.
"""
from __future__ import annotations

import re
from collections.abc import Collection

# "[1]", "[1, 2]", "[1-3]", "[1 and 2]", "[Passage 1]", "[Source 2, 3]"
MARKER = re.compile(
    r"\[\s*(?:(?:passages?|sources?|excerpts?)\s*)?"
    r"(\d{1,3}(?:\s*(?:,|;|and|&|-|\u2013)\s*(?:(?:passages?|sources?)\s*)?\d{1,3})*)\s*\]", re.I)
# A run of markers with the spaces before it: what removing or rewriting a citation replaces.
MARKER_RUN = re.compile(r"[ \t]*(?:" + MARKER.pattern + r")(?:\s*(?:" + MARKER.pattern + r"))*",
                        re.I)


def marker_numbers(group: str) -> list[int]:
    """The passage numbers inside one marker's brackets: "1, 2" -> [1, 2]; "1-3" -> [1, 2, 3]."""
    numbers: list[int] = []
    for part in re.split(r"\s*(?:,|;|and|&)\s*", re.sub(r"(?i)passages?|sources?|excerpts?", "",
                                                       group)):
        bounds = [int(n) for n in re.findall(r"\d+", part)]
        if len(bounds) == 2 and 0 < bounds[1] - bounds[0] < 10:
            numbers.extend(range(bounds[0], bounds[1] + 1))
        else:
            numbers.extend(bounds)
    return numbers


def strip_markers(text: str) -> str:
    """`text` without its citation markers."""
    return MARKER.sub("", text)


def markers(text: str) -> list[int]:
    """Every passage number cited in `text`, in order, repeats included."""
    return [n for m in MARKER.finditer(text) for n in marker_numbers(m.group(1))]


def format_markers(numbers: list[int]) -> str:
    """Passage numbers as markers, each once: [2, 1, 2] -> "[2][1]"."""
    return "".join(f"[{n}]" for n in dict.fromkeys(numbers))


def fix_markers(text: str, count: int, drop: Collection[int] = ()) -> tuple[str, list[int]]:
    """Markers rewritten as "[1][2]", those outside 1..count or in `drop` removed (returned,
    in order)."""
    removed: list[int] = []

    def ok(n: int) -> bool:
        return 1 <= n <= count and n not in drop

    def replace(run: re.Match) -> str:
        numbers = [n for m in MARKER.finditer(run.group(0)) for n in marker_numbers(m.group(1))]
        removed.extend(n for n in numbers if not ok(n))
        valid = [n for n in numbers if ok(n)]
        return " " + format_markers(valid) if valid else ""

    return MARKER_RUN.sub(replace, text).strip(), removed


def with_markers(sentence: str, numbers: list[int]) -> str:
    """`sentence` citing `numbers` too: after its last markers, else before its full stop."""
    runs = list(MARKER_RUN.finditer(sentence))
    at = runs[-1].end() if runs else len(sentence.rstrip().rstrip(".!?"))
    return sentence[:at] + ("" if runs else " ") + format_markers(numbers) + sentence[at:]


def recited(sentence: str, count: int, drop: Collection[int], add: list[int]) -> str:
    """`sentence` without its markers in `drop` and citing `add` too, its spacing kept."""
    body, _ = fix_markers(sentence.strip(), count, drop=drop)
    if add:
        body = with_markers(body, add)
    lead = sentence[:len(sentence) - len(sentence.lstrip())]
    return lead + body + sentence[len(sentence.rstrip()):]
