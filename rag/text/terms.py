"""Content words: the one tokenizer that relevance, citations and figures read text with.

A token is a number ("4,000", "2.8") or a run of letters; stop words and pronouns carry no
content. `stems` is what "does this sentence hold the words of that one" compares.
"""
from __future__ import annotations

import re

from rag.text.normalize import normalize

STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just
me more most my myself no nor not now of off on once only or other our ours ourselves out over
own same she should so some such than that the their theirs them themselves then there these
they this those through to too under until up very was we were what when where which while who
whom why will with would you your yours yourself yourselves according said say says tell told
did does according ministry spokesperson briefing briefings press conference white house many much
""".split())
_PRONOUNS = frozenset("she he they her him his hers them their theirs it its".split())
_TOKEN = re.compile(r"\d[\d.,]*\d|\d|[^\W\d_]+")


def tokens(text: str) -> list[str]:
    """The numbers and letter runs of `text`, in its normal form (rag.text.normalize)."""
    return _TOKEN.findall(normalize(text))


def stems(text: str) -> list[str]:
    """Content-word stems of `text`: lower case, stop words dropped, cut to 6 letters."""
    return [w if w[0].isdigit() else w[:6] for w in tokens(text)
            if w not in STOP_WORDS and w not in _PRONOUNS and (len(w) > 1 or w.isdigit())]
