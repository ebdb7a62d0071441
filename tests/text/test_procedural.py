"""Procedural turns (thanks, greetings, "next question") told from substantive ones."""
from rag.text.procedural import is_procedural


def test_procedural_turns():
    assert is_procedural("Thank you.")
    assert is_procedural("Next question, please.")
    assert is_procedural("Good afternoon, everyone.")
    assert is_procedural("Hi, how are you?") and is_procedural("Good to see you all.")
    assert not is_procedural("Thank you for your question. The seawall cost 3.2 billion.")
