"""Unit tests of the pipeline stages that need no index: text, chunking, hints, fusion."""
from rag.ingest.chunking import chunk_turn
from rag.filters import Filters
from rag.search.fusion import drop_near_duplicates, reciprocal_rank_fusion, spread
from rag.search.hints import infer, period_label
from rag.records import Passage, Turn
from rag.store.keywords import match_expression
from rag.text.procedural import is_procedural
from rag.text.normalize import normalize
from rag.text.dates import parse_date
from rag.text.sentences import sentence_spans


def test_sentence_spans_are_exact_slices():
    text = 'Mr. Lan said the U.S. side agreed. "It is final." Growth was 5.2 percent!\nNew line'
    spans = sentence_spans(text)
    pieces = [text[a:b] for a, b in spans]
    assert pieces == ['Mr. Lan said the U.S. side agreed.', '"It is final."',
                      'Growth was 5.2 percent!', 'New line']


def test_chunks_respect_size_overlap_and_stay_verbatim():
    text = " ".join(f"Sentence {i} carries exactly seven words here." for i in range(30))
    turn = Turn(0, "Tova Renwick", "official", text)
    chunks = chunk_turn(turn, max_words=50, overlap=1, min_words=5)
    assert len(chunks) > 3
    for chunk in chunks:
        assert chunk.text in text
        assert len(chunk.text.split()) <= 50
    for first, second in zip(chunks, chunks[1:]):
        # one sentence of overlap: the next chunk starts with the last sentence of this one
        last_sentence = first.text[first.text.rstrip(".").rfind(".") + 1:].strip()
        assert second.text.startswith(last_sentence)
    # every adjacent pair of sentences is whole inside some chunk
    sentences = [f"Sentence {i} carries exactly seven words here." for i in range(30)]
    for a, b in zip(sentences, sentences[1:]):
        assert any(f"{a} {b}" in c.text for c in chunks)


def test_one_long_sentence_is_not_cut():
    text = "word " * 200 + "end."
    chunks = chunk_turn(Turn(0, "A", "official", text.strip()), 50, 1, 5)
    assert len(chunks) == 1 and chunks[0].text == text.strip()


def test_procedural_turns():
    assert is_procedural("Thank you.")
    assert is_procedural("Next question, please.")
    assert is_procedural("Good afternoon, everyone.")
    assert is_procedural("Hi, how are you?") and is_procedural("Good to see you all.")
    assert not is_procedural("Thank you for your question. The seawall cost 3.2 billion.")


def test_hints_from_question():
    speakers = ["Tova Renwick", "Osric Vanterpool", "Renwick", "The White House"]
    hints = infer("What did Tova Renwick say in March 2031 about the seawall?", speakers)
    assert hints.speakers == ["Tova Renwick"]
    assert hints.periods == [("2031-03-01", "2031-03-31")]
    assert hints.remainder == "What did say in about the seawall?"
    hints = infer("On May 12, 2031, what did Osric Vanterpool's ministry say?", speakers)
    assert hints.speakers == ["Osric Vanterpool"]
    assert hints.periods == [("2031-05-12", "2031-05-12")]
    assert not infer("What is the ministry's view on wind farms? What did the White House say?",
                     speakers)


def test_each_named_speaker_and_period_is_a_facet():
    speakers = ["Tova Renwick", "Osric Vanterpool"]
    hints = infer("How did Minister Vanterpool in early January 2031 and Tova Renwick in "
                  "May 2031 differ?", speakers)
    assert hints.speakers == ["Osric Vanterpool", "Tova Renwick"]   # in the order named
    assert hints.periods == [("2031-01-01", "2031-01-31"), ("2031-05-01", "2031-05-31")]
    assert len(hints.facets()) == 4
    assert (hints.as_filters().date_from, hints.as_filters().date_to) == ("2031-01-01", "2031-05-31")


def test_match_expression_keeps_content_words():
    expr = match_expression("What did the ministry say about the 3.2 billion seawall's cost?")
    assert expr == '"3.2" OR "billion" OR "seawall" OR "cost"'
    assert match_expression("what did they say") == ""


def test_rrf_rewards_agreement_and_weights():
    fused = reciprocal_rank_fusion([(1.0, [(1, 9.0), (2, 8.0)]), (1.0, [(2, 0.9), (3, 0.8)])])
    assert fused[0][0] == 2
    fused = reciprocal_rank_fusion([(3.0, [(1, 9.0)]), (1.0, [(2, 0.9)])])
    assert fused[0][0] == 1


def test_near_duplicates_are_dropped():
    talking_point = "China firmly opposes interference in its internal affairs and urges the side to stop"
    items = [talking_point + " now.", talking_point + " at once.", "A different statement on trade."]
    kept = drop_near_duplicates(items, lambda t: t, limit=3, threshold=0.8)
    assert kept == [items[0], items[2]]


def test_spread_puts_each_groups_first_item_ahead_of_any_second():
    ranked = ["may17-a", "may17-b", "may29-a", "may17-c", "may09-a", "may29-b"]
    assert spread(ranked, lambda item: item[:5]) == [
        "may17-a", "may29-a", "may09-a", "may17-b", "may17-c", "may29-b"]
    assert spread([], len) == []


def test_normalize_and_dates():
    assert normalize("\u201cHello\u201d \u2014 World\u00a0 X") == '"hello" - world x'
    assert parse_date("Regular Press Conference on June12, 2018") == "2018-06-12"


def test_score_fusion_keeps_a_lone_keyword_hit():
    from rag.search.fusion import score_fusion
    fused = score_fusion([(1.0, [(7, 3.2)]), (1.0, [(1, 0.5), (7, 0.3), (2, 0.1)])])
    assert fused[0][0] == 7


def test_filters_narrowed_is_an_intersection():
    caller = Filters(speakers=["A", "B"], date_from="2031-01-01", date_to="2031-06-30")
    both = caller.narrowed(Filters(speakers=["B"], date_from="2031-05-01", date_to="2031-12-31"))
    assert (both.speakers, both.date_from, both.date_to) == (["B"], "2031-05-01", "2031-06-30")
    assert caller.narrowed(Filters(speakers=["C"])) is None
    assert caller.narrowed(Filters(date_from="2032-01-01", date_to="2032-01-31")) is None


def test_period_labels_read_as_written():
    assert period_label(("2024-05-01", "2024-05-31")) == "May 2024"
    assert period_label(("2024-02-01", "2024-02-29")) == "February 2024"
    assert period_label(("2024-01-01", "2024-12-31")) == "2024"
    assert period_label(("2024-10-10", "2024-10-10")) == "2024-10-10"
    assert period_label(("2024-10-10", "2024-11-02")) == "2024-10-10 to 2024-11-02"


def test_greetings_and_a_bare_yes_are_not_the_question_answered():
    from rag.readers.speakers import sequence_turns
    said = [("Reporter", "journalist", "Good afternoon."),
            ("Lan Qiming", "official", "Good afternoon. Today the board opens the bridge."),
            ("Reporter", "journalist", "When will the ferry stop running?"),
            ("Lan Qiming", "official", "Do you mean the night ferry?"),
            ("Reporter", "journalist", "Yes."),
            ("Lan Qiming", "official", "The night ferry stops in May.")]
    turns = sequence_turns([Turn(0, speaker, role, text) for speaker, role, text in said])
    assert [t.order for t in turns] == [1, 2, 3, 4, 5, 6]
    assert turns[1].question == ""
    assert turns[3].question == turns[5].question == "When will the ferry stop running?"


def test_a_named_month_also_hints_the_weeks_after_it():
    hints = infer("How many jobs were added in December 2023, and what did Ada Quill say on "
                  "May 9, 2024 and in 2022?", ["Ada Quill"])
    assert hints.periods == [("2024-05-09", "2024-05-09"), ("2023-12-01", "2023-12-31"),
                             ("2022-01-01", "2022-12-31")]
    spans = [(f.date_from, f.date_to) for f in hints.facets(month_slack_days=14)]
    # only the month reaches on (across the year's end); a day and a year stay as written
    assert spans == [("2024-05-09", "2024-05-09"), ("2023-12-01", "2024-01-14"),
                     ("2022-01-01", "2022-12-31")]
    assert hints.as_filters().date_to == "2024-05-09"   # what the app shows is what was asked


def test_filters_admit_what_they_select():
    p = Passage(text="x", speaker="Tova Renwick", role="official", date="2031-03-02",
                title="t", source="mfa", location="", briefing_id="b", turn_order=0)
    assert Filters().admits(p)
    assert Filters(speakers=["Tova Renwick"], date_from="2031-03-01", date_to="2031-03-02").admits(p)
    assert not Filters(speakers=["Osric Vanterpool"]).admits(p)
    assert not Filters(date_from="2031-03-03").admits(p)
    assert not Filters(sources=["whitehouse"]).admits(p)
    assert not Filters(roles=["journalist"]).admits(p)
