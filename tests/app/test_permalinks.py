"""Links that last: saved answers reopened whole, excerpt links read back, the briefing view
they open (ui.permalinks, ui.briefing_view.briefing_html)."""
from __future__ import annotations

from urllib.parse import parse_qsl

from rag.answer.records import Answer, Citation, Source
from rag.filters import Filters
from rag.records import JOURNALIST, OFFICIAL, Briefing, Participant, Passage, Turn
from ui import briefing_view, views
from ui.permalinks import SavedAnswers, answer_href, excerpt_target

ANSWER_TURN = "We have seen the reports. Ports stay open. Fees are unchanged this year."


def passage(**extra) -> Passage:
    base = dict(text="Ports stay open. Fees are unchanged this year.", speaker="Ada Vance",
                role=OFFICIAL, date="2031-02-03", title="Harbour briefing (fictional)",
                source="generic", location="https://example.org/b1", briefing_id="generic-b1",
                turn_order=2, id=7, question="Will the ports close?", post="spokesperson")
    return Passage(**{**base, **extra})


def answer(question: str = "Will the ports close?") -> Answer:
    p = passage()
    source = Source(1, p, p.text[:16], 0)
    return Answer(question=question, text="Ports stay open [1].", sources=[source],
                  citations=[Citation(1, source, [(0, 15)])], retrieved=[p, passage(id=9)],
                  filters=Filters(speakers=["Ada Vance"], date_from="2031-01-01"),
                  timings={"retrieve_ms": 12.0, "total_s": 1.5, "first_token_s": None},
                  mode="extractive", note="no model")


def test_a_saved_conversation_comes_back_whole_under_a_key_of_its_content(tmp_path):
    saved = SavedAnswers(tmp_path)
    conversation = [answer(), answer("And the fees?")]
    key = saved.save(conversation)
    assert key == SavedAnswers(tmp_path).save(conversation)  # the same content, the same key
    assert key != saved.save(conversation[:1])
    back = SavedAnswers(tmp_path).load(key)  # another connection, as after a restart
    assert [a.as_record() for a in back] == [a.as_record() for a in conversation]
    assert back[1].citations[0].source is back[1].sources[0]
    assert back[0].as_text() == conversation[0].as_text()
    assert saved.load("0123456789abcdef") is None
    assert answer_href(key) == f"?answer={key}"


def test_an_excerpt_link_names_the_briefing_turn_passage_and_cited_words():
    href = views.briefing_href(passage(), (3, 9))
    target = excerpt_target(dict(parse_qsl(href.lstrip("?"))))
    assert (target.briefing, target.turn, target.passage, target.span) == ("generic-b1", 2, 7,
                                                                          (3, 9))
    bare = excerpt_target({"briefing": "generic-b1", "start": "9", "end": "3", "turn": "x"})
    assert bare.turn is None and bare.passage is None and bare.span is None
    assert excerpt_target({"answer": "abc"}) is None


def briefing() -> Briefing:
    return Briefing(id="generic-b1", title="Harbour <b>briefing</b> (fictional)", date="2031-02-03",
                    source="generic", location="/uploads/harbour.txt",
                    participants=[Participant("Ada Vance", "spokesperson")],
                    turns=[Turn(0, "Journalist", JOURNALIST, "Will the ports close?"),
                           Turn(1, "Journalist", JOURNALIST, "Nooo —"),
                           Turn(2, "Ada Vance", OFFICIAL, ANSWER_TURN,
                                question="Will the ports close?")])


def test_the_briefing_view_shows_every_turn_and_marks_the_linked_words():
    start = ANSWER_TURN.index("Ports")
    spans = {2: [(7, start, len(ANSWER_TURN))]}
    page = briefing_view.briefing_html(briefing(), spans, turn=2, passage=7, cited=(0, 15))
    assert page.count('class="turn-row') == 3 and "<b>" not in page  # escaped
    assert ('We have seen the reports. <mark class="excerpt" id="excerpt"><mark class="cited">'
            "Ports stay open</mark>. Fees are unchanged this year.</mark>") in page
    # the question an answer follows is shown when it is not the turn just before
    assert '<span class="what">Answers:</span> Will the ports close?' in page
    assert "original page" not in page and "spokesperson" in page  # a file, not a web page
    # a passage id from another index: the turn the link names is marked whole
    page = briefing_view.briefing_html(briefing(), spans, turn=2, passage=99, cited=(0, 15))
    assert f'<mark class="excerpt" id="excerpt">{ANSWER_TURN}</mark>' in page
    assert "not in the index" in briefing_view.briefing_html(None, {})


def test_a_comparison_s_status_names_the_side_being_written():
    sides = ["Ada Vance", "Bo Lind"]
    assert views.side_being_written("", sides) == "The model is writing…"
    assert views.side_being_written("Ada Vance: Ports stay", sides) == \
        "Writing Ada Vance's side (1 of 2)…"
    assert views.side_being_written("Ada Vance: Ports stay open: yes.\nBo Lind: No", sides) == \
        "Writing Bo Lind's side (2 of 2)…"
