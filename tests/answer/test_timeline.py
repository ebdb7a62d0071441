"""Timelines on a real index of fictional briefings (tests/fixtures/timeline): one mark per
briefing in which a speaker spoke on the topic, over the whole year, and when they start,
peak and stop."""
from __future__ import annotations

import pytest

from rag.answer.timeline import summarize, timeline
from rag.filters import Filters
from rag.search.retriever import Retriever

KORR, MARANT = "Anselm Korr", "Ilse Marant"
DAM = "the Varra dam"
# The briefings in which Korr answers on the dam (the fixture's README): none in April or
# July, when he speaks on rail fares only; May 19 is published twice.
DAM_DATES = ["2032-01-14", "2032-02-18", "2032-03-10", "2032-05-05", "2032-05-19",
             "2032-05-28", "2032-06-16", "2032-08-25", "2032-09-22", "2032-11-09"]


@pytest.fixture(scope="module")
def retriever(timeline_index) -> Retriever:
    return Retriever(timeline_index)


def with_bar(settings, similarity: float):
    """`settings` with another answer.timeline_min_similarity."""
    answer = settings.answer.model_copy(update={"timeline_min_similarity": similarity})
    return settings.model_copy(update={"answer": answer})


def test_every_briefing_with_a_statement_on_the_topic_is_one_mark(retriever):
    marks = timeline(DAM, [KORR], retriever, retriever.index.settings)
    assert [m.date for m in marks] == DAM_DATES
    assert len({m.passage.briefing_id for m in marks}) == len(marks)
    for m in marks:
        assert m.speaker == m.passage.speaker == KORR
        assert m.passage.text[m.span[0]:m.span[1]] == m.excerpt and "Varra dam" in m.excerpt
        assert m.similarity >= retriever.index.settings.answer.timeline_min_similarity


def test_a_mark_counts_its_briefings_statements_and_shows_the_closest(retriever):
    marks = {m.date: m for m in timeline(DAM, [KORR], retriever, retriever.index.settings)}
    # May 5: two answers on the dam (the flood, then the delay it causes)
    assert {d: m.matches for d, m in marks.items() if m.matches != 1} == {"2032-05-05": 2}
    store = retriever.index.store
    that_day = store.passage_ids(Filters(speakers=[KORR], date_from="2032-05-05",
                                         date_to="2032-05-05"))
    ranked = retriever.index.dense().search(retriever.embed_query(DAM), len(that_day), that_day)
    assert marks["2032-05-05"].passage.id == ranked[0][0]
    assert marks["2032-05-05"].similarity == pytest.approx(ranked[0][1])


def test_the_same_words_published_twice_are_one_mark(retriever):
    store = retriever.index.store
    # the May 19 briefing is in the index twice, under two titles
    assert store.briefing_count(Filters(date_from="2032-05-19", date_to="2032-05-19")) == 2
    marks = timeline(DAM, [KORR, MARANT], retriever, retriever.index.settings)
    assert [m.date for m in marks].count("2032-05-19") == 1
    excerpts = [" ".join(m.excerpt.split()) for m in marks]
    assert len(set(excerpts)) == len(excerpts)


def test_a_statement_needs_the_topics_words_and_a_close_meaning(retriever):
    settings = retriever.index.settings
    # With no bar on meaning, the briefings on rail fares alone still hold no word of the dam.
    anything_close = timeline(DAM, [KORR], retriever, with_bar(settings, 0.0))
    assert [m.date for m in anything_close] == DAM_DATES
    assert timeline(DAM, [KORR], retriever, with_bar(settings, 0.99)) == []
    fares = timeline("rail fares and passes", [KORR], retriever, settings)
    assert [m.date for m in fares] == ["2032-04-07", "2032-07-21"]


def test_speakers_share_one_date_order_within_the_callers_filters(retriever):
    settings = retriever.index.settings
    marks = timeline(f"What did {MARANT} say about {DAM}?", [MARANT, KORR], retriever, settings)
    assert [m.date for m in marks if m.speaker == MARANT] == ["2032-05-05", "2032-08-25"]
    assert [m.date for m in marks] == sorted(m.date for m in marks)
    # on a day both spoke, in the order asked
    assert [m.speaker for m in marks if m.date == "2032-05-05"] == [MARANT, KORR]
    summer = timeline(DAM, [KORR, MARANT], retriever, settings,
                      Filters(date_from="2032-06-01", date_to="2032-08-31"))
    assert [(m.date, m.speaker) for m in summer] == [
        ("2032-06-16", KORR), ("2032-08-25", KORR), ("2032-08-25", MARANT)]


def test_the_summary_says_when_statements_start_peak_and_stop(retriever):
    marks = timeline(DAM, [MARANT, KORR], retriever, retriever.index.settings)
    assert [s.line() for s in summarize(marks, [KORR, MARANT])] == [
        "Anselm Korr: 10 briefings from 2032-01 to 2032-11, most in 2032-05 (3)",
        "Ilse Marant: 2 briefings from 2032-05 to 2032-08, most in 2032-05 (1)"]
    may = [m for m in marks if m.month == "2032-05" and m.speaker == KORR]
    assert [s.line() for s in summarize(may)] == ["Anselm Korr: 3 briefings in 2032-05"]
    assert [s.line() for s in summarize(may[:1])] == ["Anselm Korr: 1 briefing in 2032-05"]
    assert summarize([]) == []


def test_a_mark_as_json_locates_its_excerpt(retriever):
    mark = timeline(DAM, [KORR], retriever, retriever.index.settings)[0]
    record = mark.as_dict()
    assert record["text"][record["start"]:record["end"]] == record["excerpt"] == mark.excerpt
    assert (record["date"], record["speaker"], record["matches"]) == ("2032-01-14", KORR, 1)
    assert record["briefing_id"] == mark.passage.briefing_id and 0 < record["similarity"] <= 1
