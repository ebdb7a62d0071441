"""Filters: narrowing one set by another, and which passages a set admits."""
from rag.filters import Filters
from rag.records import Passage


def test_filters_narrowed_is_an_intersection():
    caller = Filters(speakers=["A", "B"], date_from="2031-01-01", date_to="2031-06-30")
    both = caller.narrowed(Filters(speakers=["B"], date_from="2031-05-01", date_to="2031-12-31"))
    assert (both.speakers, both.date_from, both.date_to) == (["B"], "2031-05-01", "2031-06-30")
    assert caller.narrowed(Filters(speakers=["C"])) is None
    assert caller.narrowed(Filters(date_from="2032-01-01", date_to="2032-01-31")) is None


def test_filters_admit_what_they_select():
    p = Passage(text="x", speaker="Tova Renwick", role="official", date="2031-03-02",
                title="t", source="mfa", location="", briefing_id="b", turn_order=0)
    assert Filters().admits(p)
    assert Filters(speakers=["Tova Renwick"], date_from="2031-03-01", date_to="2031-03-02").admits(p)
    assert not Filters(speakers=["Osric Vanterpool"]).admits(p)
    assert not Filters(date_from="2031-03-03").admits(p)
    assert not Filters(sources=["whitehouse"]).admits(p)
    assert not Filters(roles=["journalist"]).admits(p)
