"""Word alignment of a quote with a text (fictional sentences)."""
from rag.text.align import align, find, pattern, words

TEXT = ("Well, we will never accept it. The ministry will pay every licensed fisherman "
        "4,000 marks a month \u2014 during the closure. We don\u2019t negotiate in public.")


def span_text(p, text=TEXT):
    found = find(pattern(p), words(text))
    return text[found[0]:found[1]] if found else None


def test_case_punctuation_curly_quotes_and_dashes_are_ignored():
    assert span_text("WE WILL NEVER ACCEPT IT") == "we will never accept it"
    assert span_text("4,000 marks a month - during the closure") == \
        "4,000 marks a month \u2014 during the closure"
    assert span_text("We don't negotiate in public") == "We don\u2019t negotiate in public"
    assert span_text("4000 marks a month") == "4,000 marks a month"   # thousands separators


def test_whole_words_only():
    assert span_text("will never accep") is None
    assert span_text("ministry will pay every licensed fishermen") is None


def test_a_quote_spanning_two_sentences_is_found():
    assert span_text("accept it. The ministry will pay") == "accept it. The ministry will pay"


def test_an_ellipsis_is_a_gap_and_the_parts_keep_their_order():
    assert span_text("we will never accept it ... every licensed fisherman") == \
        "we will never accept it. The ministry will pay every licensed fisherman"
    assert span_text("we will never accept it\u2026during the closure") is not None
    assert span_text("every licensed fisherman ... we will never accept it") is None


def test_brackets_stand_for_a_few_words_or_change_letters():
    assert span_text("[The government] will pay every licensed fisherman") is not None
    assert span_text("The ministry will pay every [registered] fisherman") is not None
    assert span_text("[w]e will never accept it") == "we will never accept it"
    # a bracket stands for at most a few words of the source
    assert find(pattern("we will [x] during the closure", bracket_words=5), words(TEXT)) is None


def test_close_words_are_aligned_with_their_differences_flagged():
    found = align(pattern("The ministry will pay every licensed fisherman 5,000 marks a month"),
                  words(TEXT))
    assert not found.verbatim and 0.9 <= found.similarity < 1
    [d] = found.differences
    assert (d.kind, d.quote, d.transcript, d.number) == ("replaced", "5,000", "4,000", True)
    assert TEXT[d.at[0]:d.at[1]] == "4,000"

    [d] = align(pattern("we will always accept it"), words(TEXT)).differences
    assert (d.transcript, d.negation) == ("never", True)

    found = align(pattern("the ministry will pay every fisherman 4,000 marks"), words(TEXT))
    assert [(d.kind, d.transcript) for d in found.differences] == [("deleted", "licensed")]
    found = align(pattern("we will never ever accept it"), words(TEXT))
    assert [(d.kind, d.quote) for d in found.differences] == [("inserted", "ever")]


def test_unrelated_words_are_not_close():
    assert align(pattern("the harvest festival begins on a Sunday in June"),
                 words(TEXT)).similarity < 0.5
