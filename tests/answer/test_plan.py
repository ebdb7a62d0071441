"""The question plan: a question parsed once, then handed to every stage that reads it."""
from __future__ import annotations

import pytest

from rag.answer import plan as plan_module
from rag.answer.answerer import Answerer
from rag.answer.plan import plan_question
from rag.answer.records import Answer
from rag.filters import Filters
from rag.search import retriever as retriever_module
from rag.search.hints import Hints

KNOWN = ["Tova Renwick", "Osric Vanterpool", "Ines Halloway"]


def test_a_question_naming_two_officials_plans_one_side_each_and_a_topic_without_them():
    plan = plan_question("How did Tova Renwick and Osric Vanterpool describe the seawall in "
                         "2031?", KNOWN)
    assert [side.label for side in plan.sides] == ["Tova Renwick", "Osric Vanterpool"]
    assert "Renwick" not in plan.topic and "seawall" in plan.topic
    # each side's search keeps the period the question names, not the other side's name
    assert plan.side_hints.periods == [("2031-01-01", "2031-12-31")]
    assert plan.side_hints.speakers == []


def test_with_hints_off_the_sides_stay_but_no_search_is_steered():
    plan = plan_question("How did Tova Renwick and Osric Vanterpool describe the seawall in "
                         "2031?", KNOWN, use_hints=False)
    assert len(plan.sides) == 2
    assert plan.hints == Hints() and plan.side_hints == Hints()


def test_a_follow_up_is_rewritten_then_parsed_as_its_own_question():
    first = Answer(question="What did Ines Halloway say about barley?",
                   query="What did Ines Halloway say about barley?",
                   hints=Filters(speakers=["Ines Halloway"]))
    plan = plan_question("And what did she say in May 2031?", KNOWN, history=[first])
    assert plan.text == "What did Ines Halloway say about barley in May 2031?"
    assert plan.hints.speakers == ["Ines Halloway"]
    assert plan.hints.periods == [("2031-05-01", "2031-05-31")]
    assert plan.question == "And what did she say in May 2031?"


def test_names_the_question_asks_about_come_with_the_plan():
    assert plan_question("Did Tova Renwick discuss the Zorblax treaty?", KNOWN).names == [
        "Tova", "Renwick", "Zorblax"]


@pytest.mark.parametrize("question", [
    "What did Tova Renwick say about the seawall in March 2031?",
    "How did Tova Renwick and Osric Vanterpool describe the ministry's plans for the delta "
    "coast?",
])
def test_an_ask_parses_its_question_once(retriever, monkeypatch, question):
    """The plan parses the question; retrieval, sides and refusals read the plan."""
    calls: list[str] = []
    real = plan_module.infer

    def counting(text, known):
        calls.append(text)
        return real(text, known)

    monkeypatch.setattr(plan_module, "infer", counting)
    monkeypatch.setattr(retriever_module, "infer", counting)
    Answerer(retriever).ask(question, no_llm=True)
    assert calls == [question]


def test_a_question_about_quoted_words_is_planned_as_a_quote_check():
    plan = plan_question('Did Idris Vale say on April 2, 2033 that "the closure will last '
                         'eleven weeks"?', ["Idris Vale", "Ona Brask"])
    assert plan.claim is not None
    assert (plan.claim.quote, plan.claim.speaker, plan.claim.date) == (
        "the closure will last eleven weeks", "Idris Vale", "2033-04-02")
    assert plan_question("What did Idris Vale say about the closure?", ["Idris Vale"]).claim \
        is None
