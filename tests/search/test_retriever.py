"""Retrieval on the real pipeline index: keywords and meaning, filters, question hints."""
from __future__ import annotations

from rag.filters import Filters
from rag.search.retriever import Retriever


def test_keyword_and_meaning_both_find(backend_index):
    retriever = Retriever(backend_index)
    by_number = retriever.search("11,500", k=3).passages
    assert "11,500 crowns" in by_number[0].text
    by_meaning = retriever.search("grain crop output this season", k=3)
    assert "barley harvest" in by_meaning.passages[0].text
    # each stage's time, for bench/run.py (the keyword search runs beside the embedding)
    timings = by_meaning.timings
    assert set(timings) == {"keyword_ms", "embed_ms", "dense_ms", "fetch_ms", "retrieve_ms"}
    assert timings["retrieve_ms"] >= timings["embed_ms"] + timings["dense_ms"] + timings["fetch_ms"]


def test_filters_apply_inside_the_search(backend_index):
    retriever = Retriever(backend_index)
    only = retriever.search("seawall", k=5, filters=Filters(speakers=["Osric Vanterpool"]))
    assert only.passages and all(p.speaker == "Osric Vanterpool" for p in only.passages)
    dated = retriever.search("compensation for fishermen", k=5,
                             filters=Filters(date_from="2031-05-01", date_to="2031-05-31"))
    assert dated.passages and all(p.date.startswith("2031-05") for p in dated.passages)
    assert "11,500" in dated.passages[0].text


def test_question_hints_lift_the_named_speaker_and_month(backend_index):
    retrieval = Retriever(backend_index).search(
        "What did Tova Renwick say about fishermen compensation in May 2031?", k=3)
    assert retrieval.hints.speakers == ["Tova Renwick"]
    assert retrieval.passages[0].date == "2031-05-12"


def test_caller_filters_stay_hard_when_the_question_names_someone_else(backend_index):
    retrieval = Retriever(backend_index).search(
        "What did Tova Renwick say about compensation?", k=5,
        filters=Filters(speakers=["Osric Vanterpool"]))
    assert retrieval.passages
    assert {p.speaker for p in retrieval.passages} == {"Osric Vanterpool"}
