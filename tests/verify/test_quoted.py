"""An article's quotations found with their attribution, then checked (fictional)."""
from rag.verify.quoted import quoted
from rag.verify.records import ALTERED, MISATTRIBUTED, VERBATIM

KNOWN = ["Idris Vale", "Ona Brask", "Wang Lin", "Wang Tao"]

ARTICLE = """LAKE CITY - The Ministry of Lakes defended its plans on Tuesday.

"We will never accept that the fishing villages bear the cost alone," Idris Vale told reporters. He called the closure "necessary" and said the ministry would pay every fisherman.

Deputy Minister Ona Brask said: \u201cThe repairs cost 61 million marks.\u201d

\u201cThe ministry will pay every licensed fisherman 5,000 marks a month during the closure,\u201d Vale added.

"Yes, it will reopen in mid-July, well before the rains," she said.

Critics were unconvinced. "The ministry abandoned the Merrow fishermen to save money," said Vale.
"""


def test_quotations_are_found_with_the_speaker_named_beside_them():
    found = quoted(ARTICLE, KNOWN, min_words=4)
    assert [(q.claim.speaker, q.claim.quote[:24]) for q in found] == [
        ("Idris Vale", "We will never accept tha"),
        ("Ona Brask", "The repairs cost 61 mill"),
        ("Idris Vale", "The ministry will pay ev"),   # "Vale": a word only one speaker has
        ("Idris Vale", "Yes, it will reopen in m"),   # "she said": the last person named
        ("Idris Vale", "The ministry abandoned t"),
    ]
    # "necessary" is one word: a phrase, not a quote
    assert all("necessary" not in q.claim.quote for q in found)
    assert ARTICLE[found[1].start:found[1].end].startswith("\u201cThe repairs")


def test_a_surname_two_speakers_share_resolves_to_no_one():
    [q] = quoted('"We are studying the proposal closely," Wang said.', KNOWN)
    assert q.claim.speaker is None


def test_every_quotation_of_an_article_is_checked(briefings):
    checks = briefings.verify_text(ARTICLE)
    assert [c.verdict for c in checks] == [VERBATIM, VERBATIM, ALTERED, MISATTRIBUTED,
                                           MISATTRIBUTED]
    assert checks[3].found.turn.speaker == "Ona Brask"
    assert checks[4].found.turn.role == "journalist"


def test_a_question_about_quoted_words_carries_the_claim_to_check():
    from rag.verify.quoted import asked_claim, asked_quote
    claim = asked_claim('Did Vale say "we will never accept that the villages pay"?', KNOWN, None)
    assert (claim.quote, claim.speaker, claim.date) == (
        "we will never accept that the villages pay", "Idris Vale", None)
    claim = asked_claim('Who said \u201cthe repairs cost 61 million marks\u201d?', KNOWN,
                        "2033-04-02")
    assert (claim.speaker, claim.date) == (None, "2033-04-02")
    # a name inside the quotation is not who said it
    claim = asked_claim('Who said "Ona Brask is wrong about the dam"?', KNOWN, None)
    assert claim.speaker is None
    assert asked_quote('"The lake will rise by two metres" - who said this?')[0] == \
        "The lake will rise by two metres"


def test_a_quoted_topic_or_a_short_phrase_is_not_a_quote_check():
    from rag.verify.quoted import asked_quote
    assert asked_quote('What did Vale say about "the dam closure plan"?') is None
    assert asked_quote('Who said "no"?') is None
    assert asked_quote("What did Vale say about the dam?") is None
