"""Who a sentence is attributed to: the passages that state it, and words that were the
journalist's, not the official's.

A sentence is cited to every passage holding most of its content words and all its figures, and
stops citing a passage that holds few of them beside one that states it (the model copied one
passage's sentence and named its neighbour). A sentence repeating the question shown with a
passage ("Asked: ...") rather than what was said would put a reporter's words in an official's
mouth, and a sentence on one official's side of a comparison that names another official puts
that official's words, or the question's, on the wrong side.
"""
from __future__ import annotations

import re
from typing import Sequence

from rag.citations.evidence import Evidence
from rag.citations.figures import figures
from rag.citations.markers import markers, recited, strip_markers
from rag.citations.quotes import quoted_in
from rag.text.sentences import sentence_spans
from rag.text.terms import stems


def attribute(sentence: str, passages: list[str], own: list[set[str]], held: list[set[str]],
              min_share: float, keep_share: float) -> tuple[str, list[int], list[int]]:
    """`sentence` cited to every passage that states it: one holding at least `min_share` of
    its content words (`own[n-1]`: the passage's stems; two or more) and every figure it gives
    (`held[n-1]`: the stems of the passage and of what the model was shown with it). Beside such a passage, a cited one
    holding less than `keep_share` of its words (and none of its quotations) loses its marker.
    Returns the sentence, the markers added and the markers removed."""
    words = set(stems(strip_markers(sentence)))
    if len(words) < 2:
        return sentence, [], []
    numbers = {w for w in words if w[0].isdigit()}
    cited = [n for n in dict.fromkeys(markers(sentence)) if 1 <= n <= len(passages)]
    states = [n for n, s in enumerate(own, 1) if numbers <= held[n - 1]
              and len(words & s) >= max(2, min_share * len(words))]
    new = [n for n in states if n not in cited]
    stray = [n for n in cited if n not in states
             and len(words & own[n - 1]) < keep_share * len(words)] if states else []
    if stray:
        stray = [n for n in stray if n not in quoted_in(sentence, passages, cited)]
    if not new and not stray:
        return sentence, [], []
    return recited(sentence, len(passages), stray, new), new, stray


# A capitalised word that does not open the sentence: a name.
_NAME = re.compile(r"(?<=[\w,;:)] )[A-Z][\w'\u2019-]*")


def stated_by(sentence: str, evidence: Evidence, min_share: float) -> bool:
    """Whether the evidence `sentence` cites (all of it, when it cites none) states it: every
    figure and every name (a capitalised word past the first) in it, and `min_share` of its
    content words; what was shown with a passage (its date, title, the question) counts."""
    plain = strip_markers(sentence)
    cited = [n for n in markers(sentence) if 1 <= n <= len(evidence) and evidence.passages[n - 1]]
    cited = cited or [n for n, p in enumerate(evidence.passages, 1) if p]
    held = set().union(set(), *(evidence.held_stems[n - 1] for n in cited))
    numbers = set().union(set(), *(evidence.held_figures[n - 1] for n in cited))
    words = set(stems(plain))
    names = {w for m in _NAME.finditer(plain) for w in stems(m.group(0))}
    return (figures(plain) <= numbers and names <= held
            and len(words & held) >= min_share * len(words))


def names_anyone(sentence: str, names: Sequence[str]) -> bool:
    """Whether `sentence` names one of `names`: in full, or by its first or last word of three
    letters or more ("Cardona" of Miguel Cardona, "Hua" of Hua Chunying)."""
    words = {w for name in names for w in [name, name.split()[0], name.split()[-1]]
             if len(w) >= 3}
    return any(re.search(r"(?<![\w-])" + re.escape(w) + r"(?![\w-])", sentence) for w in words)


def asked_not_said(sentence: str, asked: set[str], said: set[str]) -> bool:
    """Whether `sentence` repeats the journalists' questions (`asked` stems) more than what the
    officials said (`said` stems)."""
    words = set(stems(strip_markers(sentence)))
    return (len(words) >= 4 and len(words & asked) >= 0.6 * len(words)
            and len(words & said) < 0.4 * len(words))


def supporting_sentence(claim: str, passage: str) -> tuple[int, int] | None:
    """The passage sentence sharing most content words with an answer sentence that cites it."""
    words = set(stems(strip_markers(claim)))
    scored = [(len(words & set(stems(passage[a:b]))), a, b) for a, b in sentence_spans(passage)]
    best = max(scored, default=(0, 0, 0))
    return (best[1], best[2]) if best[0] else None
