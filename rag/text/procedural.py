"""Procedural turns: greetings, thanks and floor management, never retrieved."""
from __future__ import annotations

import re

_PROCEDURAL = re.compile(
    r"^(?:(?:ok(?:ay)?|all right|alright|yes|no|sure|right|great|good|well|so|and|"
    r"thank you(?: (?:very much|all|so much|everyone|everybody))?|thanks(?: (?:everyone|everybody|all))?|"
    r"good (?:morning|afternoon|evening)(?:,? everyone|,? everybody)?|hi(?:,? everyone|,? everybody)?|hello|"
    r"next question|next|go ahead(?:,? [A-Z][\w.-]*(?: [A-Z][\w.-]*)?)?|please|the (?:next|last) question|last question|"
    r"(?:any|are there any) (?:other|more) questions|one more|welcome|yeah|yep|mm-hmm|uh-huh|"
    r"how are you(?: doing)?(?: today)?|(?:nice|good|great) to (?:see|be with) you(?: all)?)"
    r"[\s,.!?;:-]*)+$",
    re.I,
)


def is_procedural(text: str) -> bool:
    """Greetings, thanks and floor management: stored, never retrieved, never the question
    an answer follows."""
    return len(text.split()) <= 12 and bool(_PROCEDURAL.match(text.strip()))


# A journalist's statement-question ("Reports say ... We'd like your comment.") can lack a
# question mark; interjections and interrupted fragments ("That's a pretty good one.",
# "You just said the president —") are short.
_STATEMENT_QUESTION_WORDS = 25


def asks(text: str) -> bool:
    """Whether a journalist's turn asks something: a question mark, or a statement long enough
    to be a question put as one. Interjections and fragments do not."""
    return not is_procedural(text) and (
        "?" in text or len(text.split()) >= _STATEMENT_QUESTION_WORDS)
