"""Citation markers: the forms read as markers, and out-of-range or grouped ones rewritten."""
from rag.citations.markers import fix_markers, markers


def test_marker_forms():
    assert markers("a [1][2] b [1, 3] c [2-3] d [Passage 2] e [1 and 3]") == [
        1, 2, 1, 3, 2, 3, 2, 1, 3]
    assert markers("no markers [a] or (1) here") == []


def test_markers_out_of_range_are_removed_and_reported():
    text, removed = fix_markers("It cost 3.2 billion [12]. Wind farms [2, 4] and [0][1].", 3)
    assert text == "It cost 3.2 billion. Wind farms [2] and [1]."
    assert removed == [12, 4, 0]


def test_marker_groups_are_rewritten_one_number_each():
    text, removed = fix_markers("Both said so [1, 2]. Again [3][3].", 3)
    assert text == "Both said so [1][2]. Again [3]."
    assert removed == []
