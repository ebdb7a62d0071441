"""Figures in an answer: the numbers a sentence gives, held (or not) by the passages it cites.

A small model invents numbers and cites a neighbouring passage for a real one. Figures are
compared without thousands commas or leading zeros ("4,000" is "4000", a date's "05" is "5");
what a passage holds includes its spelled numbers ("nine", "third", and "twenty-five thousand"
as 25000, read by text2num) and whatever else the model was shown with it (its date, its title,
the question).
"""
from __future__ import annotations

from text_to_num import alpha2digit

from rag.text.terms import tokens

_NUMBER_WORDS = {
    **dict(zip("one two three four five six seven eight nine ten eleven twelve thirteen "
               "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split(),
               map(str, range(1, 21)))),
    **dict(zip("first second third fourth fifth sixth seventh eighth ninth tenth".split(),
               map(str, range(1, 11)))),
    **dict(zip("thirty forty fifty sixty seventy eighty ninety hundred".split(),
               ["30", "40", "50", "60", "70", "80", "90", "100"])),
}


def figures(text: str, spelled: bool = False) -> set[str]:
    """The numbers `text` gives, without thousands commas ("4,000" -> "4000") or leading zeros
    (a date's "05" -> "5"); with `spelled`, number words too ("nine" -> "9", "third" -> "3",
    "twenty-five thousand" -> "25000"; each word alone as well, as text2num leaves "one")."""
    words = tokens(text)
    numbers = {w.replace(",", "") for w in words if w[0].isdigit()}
    if spelled:
        # a compound spelled number is one figure: "twenty-five thousand" is 25000, not 20 and 5
        numbers |= {w.replace(",", "") for w in tokens(alpha2digit(text, "en")) if w[0].isdigit()}
        numbers |= {_NUMBER_WORDS[w] for w in words if w in _NUMBER_WORDS}
    return {(n.lstrip("0") or "0") if n.isdigit() else n for n in numbers}


def invented(sentence: str, held: list[set[str]]) -> bool:
    """Whether `sentence` gives a figure that none of the `held` sets (one per passage) has."""
    return any(all(f not in h for h in held) for f in figures(sentence))
