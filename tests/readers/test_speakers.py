"""Sequencing turns: greetings and a bare "yes" are not the question an answer answers."""
from rag.records import Turn


def test_greetings_and_a_bare_yes_are_not_the_question_answered():
    from rag.readers.speakers import sequence_turns
    said = [("Reporter", "journalist", "Good afternoon."),
            ("Lan Qiming", "official", "Good afternoon. Today the board opens the bridge."),
            ("Reporter", "journalist", "When will the ferry stop running?"),
            ("Lan Qiming", "official", "Do you mean the night ferry?"),
            ("Reporter", "journalist", "Yes."),
            ("Lan Qiming", "official", "The night ferry stops in May.")]
    turns = sequence_turns([Turn(0, speaker, role, text) for speaker, role, text in said])
    assert [t.order for t in turns] == [1, 2, 3, 4, 5, 6]
    assert turns[1].question == ""
    assert turns[3].question == turns[5].question == "When will the ferry stop running?"


def test_an_interjection_is_not_the_question_answered():
    from rag.readers.speakers import sequence_turns
    said = [("Journalist", "journalist", "Will the ferry run on Sundays?"),
            ("Lan Qiming", "official", "Not this winter."),
            ("Journalist", "journalist", "That's a pretty good one."),
            ("Lan Qiming", "official", "The board decides in March."),
            ("Journalist", "journalist", "Nooo —"),
            ("Lan Qiming", "official", "Yes, in March.")]
    turns = sequence_turns([Turn(0, speaker, role, text) for speaker, role, text in said])
    assert [t.question for t in turns[1::2]] == ["Will the ferry run on Sundays?"] * 3
