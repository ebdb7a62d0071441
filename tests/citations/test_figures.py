"""Figures: the numbers a sentence gives, and the ones a passage holds, spelled or not."""
from rag.citations import check as checking
from rag.citations.evidence import Evidence
from rag.citations.figures import figures


def test_a_spelled_compound_number_is_one_figure():
    assert "25000" in figures("twenty-five thousand troops", spelled=True)
    assert "400" in figures("one day over four hundred trawlers", spelled=True)
    assert figures("nine companies", spelled=True) == {"9"}
    assert figures("twenty-five thousand troops") == set()   # an answer's words are not read


def test_an_answer_giving_a_spelled_figure_in_digits_is_not_invented():
    passage = "The ministry will send twenty-five thousand sandbags to the north channel."
    checked = checking.check("The ministry will send 25,000 sandbags [1].", Evidence([passage]))
    assert checked.text == "The ministry will send 25,000 sandbags [1]."
    assert checked.checks.invented_figures == []
    dropped = checking.check("The ministry will send 26,000 sandbags [1].", Evidence([passage]))
    assert dropped.checks.invented_figures == ["The ministry will send 26,000 sandbags [1]."]
