"""Sentence relevance: reranking retrieved passages by their best sentences, and cutting excerpts."""
from rag.filters import Filters
from rag.records import Passage
from rag.search.rerank import Relevance, excerpt_bounds, rerank

from conftest import ROOT


def passage(text: str, speaker: str = "Tova Renwick", date: str = "2031-03-02") -> Passage:
    return Passage(text=text, speaker=speaker, role="official", date=date, title="Briefing",
                   source="generic", location="", briefing_id="b", turn_order=0)


SCATTERED = passage("The harbour authority met on Monday. Budgets were discussed at length. "
                    "The seawall will be reviewed next year. Nothing about cost was agreed.")
ANSWERING = passage("We also discussed fisheries. The seawall cost 3.2 billion yuan to build, "
                    "the authority said, and it opened last spring.")
OFF_TOPIC = passage("Fisheries quotas stay as they are this year.")


def test_the_passage_whose_sentences_answer_goes_first():
    ranked = rerank("How much did the seawall cost to build?", [SCATTERED, OFF_TOPIC, ANSWERING])
    assert ranked[0] is ANSWERING
    assert ranked[-1] is OFF_TOPIC


def test_ties_keep_the_fused_order():
    first, second = passage("The seawall opened."), passage("The seawall opened in May.")
    assert rerank("When did the seawall open?", [first, second]) == [first, second]
    assert rerank("When did the seawall open?", [second, first]) == [second, first]


def test_passages_of_a_named_speaker_or_period_stay_ahead():
    other = passage("Osric Vanterpool said the seawall cost 3.2 billion yuan to build.",
                    speaker="Ines Halloway")
    named = passage("It was expensive, but worth every yuan.", speaker="Osric Vanterpool")
    question = "What did Osric Vanterpool say the seawall cost?"
    assert rerank(question, [other, named])[0] is other
    assert rerank(question, [other, named], [Filters(speakers=["Osric Vanterpool"])])[0] is named
    march = Filters(date_from="2031-03-01", date_to="2031-03-31")
    later = passage("The seawall cost 3.2 billion yuan to build.", date="2031-06-01")
    assert rerank("seawall cost", [later, ANSWERING], [march])[0] is ANSWERING


def test_words_that_shape_a_question_do_not_count():
    relevance = Relevance("How did they describe and compare the seawall figures?",
                          ["They described it. The seawall compared well."])
    assert relevance.score("They described the figures and compared them.") == 0
    assert relevance.score("The seawall is long.") > 0


def test_long_passage_is_trimmed_to_whole_sentences_around_the_relevant_one():
    text = " ".join(f"Filler sentence number {i} talks about nothing much at all." for i in range(8))
    text += " The lighthouse was repainted blue in 2030. " + text
    relevance = Relevance("When was the lighthouse repainted?", [text])
    a, b = excerpt_bounds(text, relevance, 40)
    excerpt = text[a:b]
    assert "The lighthouse was repainted blue in 2030." in excerpt
    assert len(excerpt.split()) <= 40
    assert excerpt[0].isupper() and excerpt.endswith(".")
    assert excerpt_bounds("Short text.", relevance, 40) == (0, len("Short text."))


def test_scores_are_the_same_in_every_process():
    # string hashing differs per process; a sum in a set's order came out different in the
    # last bit, and exact ties between passages broke differently from one run to the next
    import os
    import subprocess
    import sys

    code = ("from rag.search.rerank import Relevance\n"
            "words = ('seawall harbour fishermen compensation budget delta channel crowns payment "
            "lighthouse ferry quota wind farm coast bird corridor pilot treaty tariff').split()\n"
            "texts = [' '.join(words[i:i + 3]) + '.' for i in range(0, len(words), 2)]\n"
            "print(repr(Relevance(' '.join(words), texts).score(' '.join(words))))")
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True, env={**os.environ, "PYTHONHASHSEED": str(seed)},
                              cwd=ROOT).stdout
               for seed in range(8)}
    assert len(outputs) == 1


def test_a_question_asking_for_an_amount_prefers_the_sentence_stating_one():
    dated = passage("Trucks crossed at Kelvar in 2031, and more will follow.")
    counted = passage("Trucks crossed at Kelvar, more than 400 of them in one day.")
    # equal on the question's words: a year is not an amount, so the fused order holds ...
    assert rerank("When did trucks cross at Kelvar?", [dated, counted]) == [dated, counted]
    # ... until the question asks for a number
    assert rerank("How many trucks crossed at Kelvar?", [dated, counted]) == [counted, dated]
    spelled = passage("Trucks crossed at Kelvar, hundreds of them a day.")
    assert rerank("What numbers of trucks crossed at Kelvar?", [dated, spelled])[0] is spelled
    # an amount alone, without anything asked about, is no answer
    relevance = Relevance("How many trucks crossed at Kelvar?", [dated.text, counted.text])
    assert relevance.score("The budget was 400 crowns.") == 0
