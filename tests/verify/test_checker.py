"""Quote checks over the fictional Ministry of Lakes index (tests/verify/conftest.py)."""
import pytest

from rag.verify.checker import BadQuote
from rag.verify.records import ALTERED, MISATTRIBUTED, NOT_FOUND, VERBATIM, same_person


def test_the_words_of_the_credited_speaker_are_verbatim_with_their_source(briefings):
    check = briefings.verify("We will never accept that the fishing villages bear the cost "
                             "alone.", "Idris Vale", "2033-04-02")
    assert check.verdict == VERBATIM and check.differences == []
    found = check.as_dict()["found"]
    assert (found["speaker"], found["role"], found["date"]) == ("Idris Vale", "official",
                                                                "2033-04-02")
    assert found["text"] == "We will never accept that the fishing villages bear the cost alone"
    assert found["title"] == "Press briefing of the Ministry of Lakes (fictional)"
    assert found["excerpt"] == found["text"] + "."   # the sentence around the words
    assert check.summary().startswith("Verbatim: Idris Vale said these words on 2033-04-02")


def test_a_quote_without_speaker_or_date_is_found_where_it_was_said(briefings):
    check = briefings.verify("the repairs cost 61 million marks")
    assert check.verdict == VERBATIM
    assert (check.found.turn.speaker, check.found.turn.date) == ("Ona Brask", "2033-04-02")


def test_curly_quotes_dashes_and_a_surname_alone(briefings):
    check = briefings.verify("\u201cYes, it will reopen in mid\u2013July, well before the "
                             "rains.\u201d", "Brask")
    assert check.verdict == VERBATIM


def test_a_changed_number_is_altered_and_flagged(briefings):
    check = briefings.verify("The ministry will pay every licensed fisherman 5,000 marks a "
                             "month during the closure.", "Idris Vale", "2033-04-02")
    assert check.verdict == ALTERED
    [d] = check.differences
    assert (d.quote, d.transcript, d.number) == ("5,000", "4,000", True)
    assert "a number" in check.summary()


def test_a_changed_word_is_altered_and_a_lost_negation_flagged(briefings):
    check = briefings.verify("We will always accept that the fishing villages bear the cost "
                             "alone.", "Idris Vale")
    assert check.verdict == ALTERED
    assert [(d.transcript, d.negation) for d in check.differences] == [("never", True)]


def test_another_officials_words_are_misattributed_with_the_real_speaker(briefings):
    check = briefings.verify("The repairs cost 61 million marks.", "Idris Vale")
    assert check.verdict == MISATTRIBUTED
    assert check.found.turn.speaker == "Ona Brask"
    assert "not by Idris Vale" in check.summary()


def test_a_reporters_question_put_in_an_officials_mouth_is_misattributed(briefings):
    check = briefings.verify("Critics say the ministry abandoned the Merrow fishermen to save "
                             "money.", "Idris Vale", "2033-04-02")
    assert check.verdict == MISATTRIBUTED
    assert check.found.turn.role == "journalist"


def test_the_right_words_on_the_wrong_date_are_misattributed_with_the_real_date(briefings):
    check = briefings.verify("The closure will last eleven weeks.", "Idris Vale", "2033-05-14")
    assert check.verdict == MISATTRIBUTED
    assert check.found.turn.date == "2033-04-02"
    assert "not on 2033-05-14" in check.summary()


def test_a_talking_point_lists_every_date_it_was_said(briefings):
    check = briefings.verify("The ministry will pay every licensed fisherman 4,000 marks a "
                             "month during the closure.", "Idris Vale", "2033-05-14")
    assert check.verdict == VERBATIM and check.found.turn.date == "2033-05-14"
    assert [m.turn.date for m in check.occurrences] == ["2033-04-02"]
    # the answer carries the question it follows
    assert check.as_dict()["found"]["question"] == "Is the ministry still paying the fishermen?"


def test_ellipsis_and_brackets_in_a_quote(briefings):
    assert briefings.verify("[The ministry] will close the Merrow dam for repairs ... We will "
                            "never accept that the fishing villages bear the cost alone",
                            "Vale").verdict == VERBATIM
    # the parts in another order are not what was said
    assert briefings.verify("We will never accept that the fishing villages bear the cost alone"
                            " ... the Ministry of Lakes will close the Merrow dam",
                            "Vale").verdict != VERBATIM


def test_a_quote_spanning_two_sentences_is_verbatim(briefings):
    assert briefings.verify("The closure will last eleven weeks. We will never accept that",
                            "Vale").verdict == VERBATIM


def test_a_quote_joined_from_two_turns_is_not_verbatim(briefings):
    # the end of Vale's answer and the start of Brask's, as if one person said both
    check = briefings.verify("as the minister said last year. The repairs cost 61 million "
                             "marks.", "Idris Vale")
    assert check.verdict != VERBATIM


def test_words_never_said_are_not_found_and_the_nearest_shown(briefings):
    check = briefings.verify("The lakes are a sacred trust we hold for our grandchildren.",
                             "Idris Vale")
    assert check.verdict == NOT_FOUND and check.found is None
    assert check.summary().startswith("Not found: no turn of the 2 briefings searched")


def test_a_quote_without_words_is_refused_with_a_clear_message(briefings):
    with pytest.raises(BadQuote, match="quote: no words"):
        briefings.verify(" ... ")


def test_names_match_with_posts_and_surnames():
    assert same_person("Ms. Jean-Pierre", "Karine Jean-Pierre")
    assert same_person("Press Secretary Karine Jean-Pierre", "Karine Jean-Pierre")
    assert same_person("Geng", "Geng Shuang")
    assert not same_person("Wang Wenbin", "Wang Yi")
    assert not same_person("", "Wang Yi")


class NoModel:
    """A generator that must not be asked: a quote question is answered by the check."""

    def stream(self, *args, **kwargs):
        raise AssertionError("the model was asked")

    def count_tokens(self, text: str) -> int:
        return len(text.split())


def test_a_chat_question_about_quoted_words_is_answered_by_the_check(quote_index):
    from rag.api import Briefings
    briefings = Briefings(quote_index, generator=NoModel())
    answer = briefings.ask('Did Idris Vale say "the repairs cost 61 million marks"?')
    assert answer.kind == "quote" and not answer.refused
    first, quoted = answer.text.splitlines()[:2]
    assert first.startswith("Misattributed: Ona Brask said these words on 2033-04-02")
    assert first.endswith("not by Idris Vale. [1]")
    assert quoted == "\u201cThe repairs cost 61 million marks\u201d [1]"
    [citation] = answer.citations
    assert citation.source.passage.speaker == "Ona Brask"
    assert answer.checks.citations_valid and answer.checks.quotes_faithful
    refused = briefings.ask('Who said "the lakes are a sacred trust for our grandchildren"?')
    assert refused.refused and refused.text.startswith("Not found")
    assert refused.citations == [] and refused.sources   # the nearest excerpts are shown
