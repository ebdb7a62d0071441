"""Comparing officials on a real index: per-speaker excerpts, both sides cited, timelines."""
from __future__ import annotations

import re

import pytest

from rag import config
from rag.citations.markers import markers
from rag.models import generators as generate
from rag.answer.answerer import Answerer
from rag.answer.refusals import NOTHING_FOUND
from rag.answer.sides import sides_in, speaker_sides
from rag.answer.timeline import timeline
from rag.search.hints import infer
from rag.filters import Filters

RENWICK, VANTERPOOL = "Tova Renwick", "Osric Vanterpool"
TOPIC = "the ministry's plans for the delta coast"


class OneSidedGenerator:
    """A reply that cites only passage [1]: stands in for a model that forgets one side, to test
    that the answer layer adds the missing side (the subject here is the repair, not the model)."""

    name = "one-sided"
    concurrency = 1

    def stream(self, messages, max_tokens, temperature=0.0):
        yield "The seawall protects the residents of the lower delta [1]."

    def count_tokens(self, text: str) -> int:
        return len(text.split())


def assert_both_sides_cited(comparison):
    sides = comparison.sides
    assert set(sides) == {RENWICK, VANTERPOOL}
    cited = {c.marker for c in comparison.answer.citations}
    for speaker, sources in sides.items():
        assert sources, speaker
        assert {s.passage.speaker for s in sources} == {speaker}
        assert cited & {s.marker for s in sources}, f"{speaker} is not cited"


def test_extractive_comparison_has_both_sides_numbered_in_one_list(retriever):
    comparison = Answerer(retriever).compare(TOPIC, [RENWICK, VANTERPOOL], no_llm=True)
    answer = comparison.answer
    assert answer.kind == "compare" and answer.mode == "extractive" and not answer.refused
    assert [s.marker for s in answer.sources] == list(range(1, len(answer.sources) + 1))
    assert_both_sides_cited(comparison)
    assert answer.checks.citations_valid and answer.checks.quotes_faithful
    for sources in comparison.sides.values():
        assert all(s.passage.date and s.text in s.passage.text for s in sources)


def test_each_side_is_answered_from_its_own_passages(retriever):
    comparison = Answerer(retriever, OneSidedGenerator()).compare(TOPIC, [RENWICK, VANTERPOOL])
    answer = comparison.answer
    assert answer.mode == "llm"
    lines = answer.text.splitlines()
    assert lines[0] == f"{RENWICK}: The seawall protects the residents of the lower delta [1]."
    # Vanterpool's part cited [1], a passage its prompt never showed: that reply is dropped,
    # and his side gets its own excerpt, quoted and cited, under his name.
    # then each side's evidence quoted, dated and cited under its own name
    theirs = [line for line in lines if line.startswith(f"{VANTERPOOL} (")]
    assert theirs and all(set(markers(line)) <= set(answer.sides[VANTERPOOL]) for line in theirs)
    assert not any("lower delta" in line for line in theirs)
    assert_both_sides_cited(comparison)


def test_every_relevant_statement_of_a_side_is_quoted_with_its_date(retriever):
    comparison = Answerer(retriever, OneSidedGenerator()).compare(
        "compensation for north channel fishermen",
        [RENWICK, VANTERPOOL])
    answer = comparison.answer
    # the reply cites [1]; every other evidence sentence of each side is quoted after it
    assert {m for side in answer.sides.values() for m in side} == {
        c.marker for c in answer.citations}
    quotes = answer.text.splitlines()[1:]
    assert quotes and len(quotes) == len(set(quotes))
    assert all(re.match(rf"({RENWICK}|{VANTERPOOL}) \(\d{{4}}-\d\d-\d\d\): ", q) for q in quotes)
    assert answer.checks.quotes_faithful


def test_question_naming_two_officials_is_routed_to_compare(retriever):
    answer = Answerer(retriever).ask(
        f"How did {RENWICK} and {VANTERPOOL} describe the ministry's work on the coast?",
        no_llm=True)
    assert answer.kind == "compare"
    assert {s.passage.speaker for s in answer.sources} == {RENWICK, VANTERPOOL}


def test_timeline_lists_each_speakers_statements_in_date_order(retriever):
    entries = timeline("compensation for north channel fishermen", [RENWICK], retriever,
                       retriever.index.settings)
    assert [e.date for e in entries] == sorted(e.date for e in entries)
    texts = " ".join(e.excerpt for e in entries)
    assert "8,000 crowns" in texts and "11,500 crowns" in texts
    assert entries[0].date == "2031-03-04"
    both = timeline(TOPIC, [RENWICK, VANTERPOOL], retriever, retriever.index.settings)
    assert {e.speaker for e in both} == {RENWICK, VANTERPOOL}
    assert [e.date for e in both] == sorted(e.date for e in both)
    assert all(e.excerpt in e.passage.text and e.speaker == e.passage.speaker for e in both)


@pytest.mark.slow
def test_real_model_comparison_cites_both_sides(retriever):
    try:
        model = generate.load_generator(config.load())
    except generate.GeneratorUnavailable as err:
        pytest.skip(f"answer model not installed: {err}")
    comparison = Answerer(retriever, model).compare(TOPIC, [RENWICK, VANTERPOOL])
    assert not comparison.answer.refused, comparison.answer.model_text
    assert_both_sides_cited(comparison)
    assert comparison.answer.checks.citations_valid and comparison.answer.checks.quotes_faithful


def test_question_comparing_two_periods_gets_one_side_per_period(retriever):
    answer = Answerer(retriever).ask(
        f"How did {RENWICK}'s compensation for north channel fishermen in March 2031 compare "
        "with May 2031?", no_llm=True)
    assert answer.kind == "compare" and not answer.refused
    assert list(answer.sides) == ["March 2031", "May 2031"]
    by_marker = {s.marker: s for s in answer.sources}
    for label, month in (("March 2031", "2031-03"), ("May 2031", "2031-05")):
        side = [by_marker[m] for m in answer.sides[label]]
        assert side and all(s.passage.date.startswith(month) for s in side)
        assert all(s.passage.speaker == RENWICK for s in side)
        assert {c.marker for c in answer.citations} & set(answer.sides[label]), label
    assert "8,000 crowns" in answer.text and "11,500 crowns" in answer.text


def test_a_period_side_draws_on_each_briefing_before_repeating_one(retriever):
    renwick = Filters(speakers=[RENWICK])
    plain = retriever.search("seawall cost", k=6, filters=renwick).passages
    spread = retriever.search("seawall cost", k=6, filters=renwick,
                              across_briefings=True).passages
    briefings = [p.briefing_id for p in spread]
    n = len(set(briefings))
    assert n >= 2 and len(set(briefings[:n])) == n
    assert len({p.briefing_id for p in plain[:n]}) < n   # one briefing held the top n
    assert spread[0].id == plain[0].id
    question = f"How did {RENWICK}'s seawall figures in March 2031 compare with May 2031?"
    sides = sides_in(infer(question, [RENWICK, VANTERPOOL]), Filters())
    assert len(sides) == 2 and all(side.across_briefings for side in sides)
    assert not any(side.across_briefings for side in speaker_sides([RENWICK, VANTERPOOL]))


class CountingGenerator(OneSidedGenerator):
    """OneSidedGenerator that counts the generations asked of it."""

    def __init__(self) -> None:
        self.calls = 0

    def stream(self, messages, max_tokens, temperature=0.0):
        self.calls += 1
        yield from super().stream(messages, max_tokens, temperature)


def test_a_side_with_no_statement_says_so_without_asking_the_model(retriever):
    question = (f"How did {RENWICK}'s compensation for north channel fishermen in March 2031 "
                "compare with April 2031?")
    extractive = Answerer(retriever).ask(question, no_llm=True)
    assert list(extractive.sides) == ["March 2031", "April 2031"]
    assert extractive.sides["April 2031"] == [] and not extractive.refused
    lines = extractive.text.splitlines()
    assert lines[-1] == f"April 2031: {NOTHING_FOUND}"
    assert {c.marker for c in extractive.citations} & set(extractive.sides["March 2031"])
    model = CountingGenerator()
    answer = Answerer(retriever, model).ask(question)
    assert model.calls == 1
    assert answer.text.splitlines()[0].startswith("March 2031: ")
    assert answer.text.splitlines()[-1] == f"April 2031: {NOTHING_FOUND}"


def test_two_periods_without_comparing_words_stay_one_question(retriever):
    answer = Answerer(retriever).ask(
        "What did the ministry announce in March 2031 and May 2031 about fishermen?",
        no_llm=True)
    assert answer.kind == "answer" and not answer.sides


class CrossSideGenerator(OneSidedGenerator):
    """Each side's reply names the other official first: stands in for a model that copies the
    question's other name into a side (the subject is the side's cleaning, not the model)."""

    def stream(self, messages, max_tokens, temperature=0.0):
        asked = messages[-1]["content"]
        other = VANTERPOOL if f"what {RENWICK} said" in asked else RENWICK
        own = re.findall(r"^\[(\d+)\]", asked.split("<evidence>")[-1], re.M)[0]
        yield f"{other} announced the seawall project [{own}]. The ministry plans dredging [{own}]."


def test_a_side_never_keeps_a_sentence_naming_the_other_official(retriever):
    answer = Answerer(retriever, CrossSideGenerator()).compare(TOPIC, [RENWICK, VANTERPOOL]).answer
    lines = answer.text.splitlines()
    assert lines[0].startswith(RENWICK) and VANTERPOOL not in lines[0]
    assert not any(line.startswith(f"{VANTERPOOL}: ") and RENWICK in line for line in lines)
    assert len(answer.checks.other_sides) == 2
