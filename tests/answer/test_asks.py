"""The kind of answer a question asks for, and whether a sentence gives it (fictional)."""
from __future__ import annotations

import pytest

from rag.answer.asks import CLAIM, DATE, NAME, NUMBER, PLACE, asked_kind, gives


@pytest.mark.parametrize("question, kind", [
    ("How many trawlers used the north quay?", NUMBER),
    ("what share of the harvest was exported", NUMBER),
    ("When will the Harbor Light seawall open?", DATE),
    ("In May 2031 the board met. What were the dates of the fair?", DATE),
    ("Who did the minister send to the delta summit?", NAME),
    ("where was the fisheries forum held", PLACE),
    ("Did Tova Renwick call the report a lie?", CLAIM),
    ("What did the ministry say about the seawall?", ""),
])
def test_the_kind_asked(question, kind):
    assert asked_kind(question) == kind


def test_a_sentence_gives_the_kind():
    assert gives(NUMBER, "The quay took over 400 trawlers.")
    assert gives(NUMBER, "Nine ports were closed.")
    assert not gives(NUMBER, "One of the ports reopened in 2031.")  # a year and "one" are no amount
    assert gives(DATE, "The fair opens on May 3.") and not gives(DATE, "The fair opens soon.")
    assert gives(NAME, "The minister sent Deputy Mara Velin.")
    assert gives(PLACE, "The forum was held at the Delta University.")
