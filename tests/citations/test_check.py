"""Citation checking on hand-written passages: markers, quotations, repairs and flags."""
from rag.citations import check as checking
from rag.citations.draft import Draft, answer_sentences
from rag.citations.evidence import Evidence
from rag.citations.figures import figures
from rag.citations.quotes import best_span, locate, quotations

PASSAGES = [
    "The seawall cost 3.2 billion crowns. Two thirds came from the national budget and one "
    "third from the delta provinces. Construction took four years and employed 6,400 workers.",
    "The ministry supports offshore wind farms beyond twelve nautical miles from the coast. "
    "Closer to the shore, the migratory bird corridors of the delta come first.",
    "Every licensed fisherman in the north channel will receive a one-time payment of "
    "8,000 crowns.",
]


def check(text, passages, min_ratio=0.75, min_share=0.6, shown=(), keep_share=0.0):
    """The answer check with its thresholds, over hand-written passages."""
    return checking.check(text, Evidence(passages, shown),
                          checking.answer_steps(min_ratio, min_share, keep_share))


def uncited_sentences(text):
    return Draft.parse(text).uncited()


def test_check_keeps_valid_answer_unchanged():
    answer = "The seawall cost 3.2 billion crowns [1]. Fishermen get 8,000 crowns [3]."
    checked = check(answer, PASSAGES)
    assert checked.text == answer
    assert checked.checks.citations_valid and checked.checks.quotes_faithful
    assert checked.markers == [1, 3]
    assert checked.checks.uncited_sentences == []
    # the highlighted span of [1] is the passage sentence that supports the claim
    (a, b), = checked.spans[1]
    assert PASSAGES[0][a:b] == "The seawall cost 3.2 billion crowns."


def test_invalid_marker_is_never_shown():
    checked = check("The lighthouse is older than the port [7].", PASSAGES)
    assert "[7]" not in checked.text
    assert checked.checks.removed_markers == [7]
    assert checked.checks.citations_valid
    assert checked.checks.uncited_sentences == ["The lighthouse is older than the port."]


def test_uncited_sentence_is_cited_to_the_passage_holding_its_words():
    checked = check("Fishermen in the north channel receive 8,000 crowns. The lighthouse is "
                    "older than the port. Wind farms must stay twelve nautical miles out [2].",
                    PASSAGES)
    assert checked.text == ("Fishermen in the north channel receive 8,000 crowns [3]. The lighthouse "
                            "is older than the port. Wind farms must stay twelve nautical miles out [2].")
    assert checked.checks.added_markers == [3]
    assert checked.checks.uncited_sentences == ["The lighthouse is older than the port."]
    # with attribution off, nothing is added
    assert check("Fishermen receive 8,000 crowns.", PASSAGES, min_share=1.01).markers == []


def test_exact_quote_with_curly_quotes_is_faithful_and_highlighted():
    answer = "She said the payment is \u201cone-time\u201d and \u201cthe seawall cost 3.2 billion crowns.\u201d [1][3]"
    checked = check(answer, PASSAGES)
    assert checked.text == answer
    assert checked.checks.quotes_faithful and checked.checks.repaired_quotes == []
    # the quoted words are highlighted, first word to last
    assert any(PASSAGES[0][a:b] == "The seawall cost 3.2 billion crowns" for a, b in checked.spans[1])
    assert any(PASSAGES[2][a:b] == "one-time" for a, b in checked.spans[3])


def test_quote_found_in_an_uncited_passage_gets_its_citation():
    checked = check('The seawall cost 3.2 billion crowns, and Vanterpool said "the migratory '
                    'bird corridors of the delta come first" [1].', PASSAGES)
    assert checked.text == ('The seawall cost 3.2 billion crowns, and Vanterpool said "the '
                            'migratory bird corridors of the delta come first" [2][1].')
    assert [r.action for r in checked.checks.repaired_quotes] == ["cited"]
    assert checked.checks.quotes_faithful


def test_misquote_is_repaired_to_the_exact_source_words():
    answer = 'She said "two-thirds came from the national budgets" [1].'
    checked = check(answer, PASSAGES)
    assert checked.text == 'She said "Two thirds came from the national budget" [1].'
    repair, = checked.checks.repaired_quotes
    assert repair.action == "repaired" and repair.marker == 1
    assert repair.replacement == "Two thirds came from the national budget"
    assert checked.checks.quotes_faithful


def test_misquote_close_to_an_uncited_passage_is_repaired_and_cited():
    checked = check('The ministry "supports wind farms beyond twelve nautical miles of the coast".',
                    PASSAGES)
    assert checked.text == ('The ministry "supports offshore wind farms beyond twelve nautical '
                            'miles from the coast" [2].')
    assert checked.checks.quotes_faithful


def test_misquote_without_a_close_source_loses_its_quotation_marks():
    checked = check('She said "the lighthouse will be painted red next spring" [1].', PASSAGES)
    assert checked.text == "She said the lighthouse will be painted red next spring [1]."
    assert [r.action for r in checked.checks.repaired_quotes] == ["unquoted"]
    assert checked.checks.quotes_faithful
    assert quotations(checked.text) == []


def test_single_quotes_and_apostrophes():
    assert quotations("China's view and the ministry's plan") == []
    text = "She called it 'the largest harvest ever' [1]."
    (outer_a, outer_b, a, b), = quotations(text)
    assert text[a:b] == "the largest harvest ever"
    checked = check(text, PASSAGES)
    assert "'" not in checked.text and checked.checks.quotes_faithful


def test_markers_after_the_full_stop_stay_with_their_sentence():
    text = "The seawall cost 3.2 billion. [1] It employed many workers. Fishermen get paid [3]."
    pieces = [text[a:b] for a, b in answer_sentences(text)]
    assert pieces == ["The seawall cost 3.2 billion. [1]", "It employed many workers.",
                      "Fishermen get paid [3]."]
    assert uncited_sentences(text) == ["It employed many workers."]


def test_a_quotation_of_two_sentences_is_one_answer_sentence():
    text = '"The seawall cost 3.2 billion crowns. Two thirds came from the national budget." [1]'
    assert len(answer_sentences(text)) == 1
    assert uncited_sentences(text) == []


def test_locate_compares_words_and_returns_source_offsets():
    passage = "He said:  \u201cWe   oppose it\u201d \u2014 firmly."
    a, b = locate('"we oppose it" - firmly', passage)
    assert passage[a:b] == "We   oppose it\u201d \u2014 firmly"
    assert locate("we support it", passage) is None


def test_a_quotation_with_other_punctuation_takes_the_passage_characters():
    passages = ["We oppose it \u2014 firmly, and always will."]
    checked = check('She said "we oppose it, firmly" [1].', passages)
    assert checked.text == 'She said "We oppose it \u2014 firmly" [1].'
    assert checked.checks.quotes_faithful


def test_best_span_prefers_the_closest_run_of_words():
    ratio, a, b = best_span("employed 6400 workers over four years", PASSAGES[0])
    assert ratio < 0.75  # reordered words: too far to be presented as a quotation
    ratio, a, b = best_span("construction took 4 years and employed 6,400 workers", PASSAGES[0])
    assert ratio >= 0.75
    assert PASSAGES[0][a:b] == "Construction took four years and employed 6,400 workers"


def test_quotes_match_whole_words_only():
    assert locate("3.2 billion crown", PASSAGES[0]) is None
    checked = check('It "cost 3.2 billion crown" [1].', PASSAGES)
    assert checked.text == 'It "cost 3.2 billion crowns" [1].'


def test_sentence_citing_a_passage_without_its_facts_also_cites_the_one_with_them():
    checked = check("Every licensed fisherman in the north channel receives a one-time "
                    "payment [1].", PASSAGES)
    assert checked.text == ("Every licensed fisherman in the north channel receives a one-time "
                            "payment [1][3].")
    assert checked.checks.added_markers == [3]
    # a year that comes from the passage's date, not its text, still lets the passage state it
    dated = check("In 2031 the ministry supports offshore wind farms beyond twelve nautical "
                  "miles.", PASSAGES, shown=["", "2031-05-02", ""])
    assert dated.text.endswith("nautical miles [2].")
    # a citation that already holds the words is left alone
    answer = "The seawall cost 3.2 billion crowns [1]."
    assert check(answer, PASSAGES).text == answer


def test_a_claim_two_passages_state_cites_both_and_a_different_figure_does_not():
    passages = PASSAGES + ["Asked again, the minister repeated that the seawall cost 3.2 billion "
                           "crowns in all.",
                           "An earlier estimate put the seawall cost at 2.9 billion crowns."]
    checked = check("The seawall cost 3.2 billion crowns [1].", passages)
    assert checked.text == "The seawall cost 3.2 billion crowns [1][4]."
    assert checked.checks.added_markers == [4]      # not [5]: 2.9 billion is another figure


def test_a_sentence_giving_a_figure_no_passage_holds_is_dropped():
    answer = ("The seawall cost 3.2 billion crowns [1]. About 100 fishermen were paid 8,000 "
              "crowns each [3].")
    checked = check(answer, PASSAGES)
    assert checked.text == "The seawall cost 3.2 billion crowns [1]."
    assert checked.checks.invented_figures == ["About 100 fishermen were paid 8,000 crowns each [3]."]


def test_figures_from_what_else_the_model_was_shown_are_not_invented():
    # "four years" is spelled out in the passage; the year comes from the passage's date, and
    # "2031" from the question
    text, (change,) = checking.apply(
        "Construction took 4 years, ending in 2030, as the 2031 report asked [1].",
        Evidence([PASSAGES[0] + " Question: what did the 2031 report say?"], ["2030-03-04"]),
        [checking.invented_figures])
    assert change.dropped == [] and text.startswith("Construction took 4 years")
    assert figures("4,000 officers, 2.8 percent") == {"4000", "2.8"}
    assert figures("2024-05-09, 0.5") == {"2024", "5", "9", "0.5"}   # "May 9" is in the date
    assert figures("nine companies", spelled=True) == {"9"} and figures("nine companies") == set()


def test_a_figure_cited_to_a_passage_without_it_is_cited_where_it_is():
    answer = ("Fishermen in the north channel receive 8,000 crowns [2]. "
              "The seawall cost 3.2 billion crowns, \u201cTwo thirds came from the national "
              "budget\u201d [1][2].")
    checked = check(answer, PASSAGES)
    assert checked.text.startswith("Fishermen in the north channel receive 8,000 crowns [3]. ")
    # [1] holds the figure: the sentence is left as cited
    assert checked.text.endswith("budget\u201d [1][2].")
    assert checked.checks.recited_figures == [
        "Fishermen in the north channel receive 8,000 crowns [3]."]
    # a figure the cited passage's date or title gives, or that no passage states, stays put
    kept = check("The plan dates from 2031 [2].", PASSAGES, shown=["", "2031-05-02", ""])
    assert kept.text == "The plan dates from 2031 [2]." and kept.checks.recited_figures == []
    # a passage the sentence quotes keeps its marker beside the one holding the figure
    quoting = check("\u201cThe ministry supports offshore wind farms\u201d, and pays 8,000 "
                    "crowns [2].", PASSAGES)
    assert quoting.text.endswith("8,000 crowns [2][3].")


def test_a_citation_of_a_passage_that_does_not_state_the_sentence_is_removed():
    answer = "The ministry supports offshore wind farms beyond twelve nautical miles [3]."
    checked = check(answer, PASSAGES, keep_share=0.3)
    assert checked.text == ("The ministry supports offshore wind farms beyond twelve nautical "
                            "miles [2].")
    assert checked.checks.added_markers == [2] and checked.checks.removed_markers == [3]
    # without a passage stating the sentence, the model's citation stands
    assert check("Fishermen were consulted [3].", PASSAGES, keep_share=0.3).text == (
        "Fishermen were consulted [3].")
    # a passage holding a fair share of the words (one half of a joined claim) keeps its marker
    joined = ("The ministry supports offshore wind farms beyond twelve nautical miles, and every "
              "licensed fisherman receives a payment [2][3].")
    assert check(joined, PASSAGES, keep_share=0.3).text == joined
    # and so does a passage the sentence quotes
    quoting = ("The ministry supports offshore wind farms beyond twelve nautical miles, a "
               "\u201cone-time payment\u201d [3].")
    assert check(quoting, PASSAGES, keep_share=0.3).text.endswith("payment\u201d [3][2].")


def test_a_side_drops_its_sentences_naming_another_sides_official():
    reply = ("Minister Vanterpool cited 8,000 crowns for the fishermen [3]. The seawall cost 3.2 "
             "billion crowns [1]. Asked about Renwick, she said the fund opens in May [3].")
    text, changes = checking.apply(reply, Evidence(PASSAGES),
                                   [checking.without_others(["Osric Vanterpool"])])
    assert text == ("The seawall cost 3.2 billion crowns [1]. Asked about Renwick, she said the "
                    "fund opens in May [3].")
    assert changes[0].dropped == ["Minister Vanterpool cited 8,000 crowns for the fishermen [3]."]
    # a family name written first counts too; a word that merely contains it does not
    assert checking.apply("Hua Chunying said so [1]. Huang said so [1].", Evidence(PASSAGES),
                          [checking.without_others(["Hua Chunying"])])[0] == "Huang said so [1]."
