"""The web app through its API with a real gradio_client, on an index of sample_corpus.

The model is a stand-in that quotes its passages (tests/ui_helpers.py) and can be held back,
so what the app shows before, during and after generation is checked deterministically; the
HTML views and the exports are also checked on their own.
"""
from __future__ import annotations

import csv
import html
import re
import time
from pathlib import Path

import httpx
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from rag.answer.records import Answer, Citation, Source
from rag.answer.refusals import REFUSAL
from rag.answer.timeline import TimelineMark
from rag.records import Passage
from ui_helpers import QuotingGenerator, start_app
from ui import timeline_view, views
from ui.app import read_filters
from ui.export import answer_markdown, write_exports
from ui.server import access_rule
from rag.service.access import Access

NO_FILTERS = {"speaker_filter": [], "date_from": "", "date_to": "", "family_filter": []}


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    run = start_app(tmp_path_factory.mktemp("ui"), QuotingGenerator(delay_s=0.02))
    yield run
    run.generator.gate.set()
    run.app.close()


def client(running) -> Client:
    """A new session (its own conversation) against the running app."""
    return Client(running.url, verbose=False)


def text_of(message: dict) -> str:
    return "".join(part["text"] for part in message["content"] if part.get("type") == "text")


def ask(c: Client, question: str, use_hints: bool = True, **filters):
    chat, sources, hints, status, box, problem = c.predict(
        question, **{**NO_FILTERS, **filters}, use_hints=use_hints, api_name="/ask")
    return chat, sources, hints, status


def cards(sources_html: str, turn: int) -> dict[int, str]:
    """marker -> the HTML of that source card, for one turn of the sources panel."""
    found = re.findall(rf'<details class="source" id="src-{turn}-(\d+)"[^>]*>(.*?)</details>',
                       sources_html, re.S)
    return {int(n): body for n, body in found}


# --- the chat --------------------------------------------------------------------------------

def test_sources_show_before_the_model_writes_then_the_answer_streams_with_chips(running):
    c = client(running)
    gen = running.generator
    gen.gate.clear()
    calls = gen.calls
    chat, sources, hints, status = ask(c, "What did Xu Weiran say about the Kelvar Strait?")
    assert gen.calls == calls  # retrieval only: the model has not been asked yet
    assert text_of(chat[0]) == "What did Xu Weiran say about the Kelvar Strait?"
    assert "waiting for the model" in text_of(chat[1]) and "Found 10 excerpts" in status
    first = cards(sources, 1)
    # the evidence sentences, numbered as the model reads them
    assert set(first) == set(range(1, len(first) + 1)) and 2 <= len(first) <= 4
    assert "Xu Weiran" in first[1] and re.search(r'class="date">2031-\d\d-\d\d<', first[1])
    assert "Kelvar Strait" in sources and 'class="asked"' in first[1]
    assert "speaker: Xu Weiran" in hints

    job = c.submit(api_name="/answer")
    gen.gate.set()
    updates = list(job)
    final_chat, final_sources, final_status, files, link = job.result()
    files = files["value"]  # an update: the download box appears with the files
    assert len(updates) >= 3  # "writing", words as they come, the checked answer
    answer = text_of(final_chat[-1])
    chips = re.findall(r'<a class="chip" href="#src-1-(\d+)"', answer)
    assert chips and set(map(int, chips)) <= set(first)
    assert final_status.startswith("Answered in")
    # the cited words are highlighted in the cited card
    cited = cards(final_sources, 1)[int(chips[0])]
    quoted = re.search(r'"([^"]+)"', html.unescape(re.sub(r"<[^>]+>", "", answer))).group(1)
    mark = html.unescape(re.search(r'<mark class="cited">(.*?)</mark>', cited).group(1))
    assert mark in quoted or quoted in mark

    markdown, table = (Path(f) for f in files)
    assert markdown.name == "answer.md" and table.name == "excerpts.csv"
    text = markdown.read_text(encoding="utf-8")
    assert text.startswith("# What did Xu Weiran say about the Kelvar Strait?")
    assert f"[{chips[0]}]" in text and "Xu Weiran (official), 2031-" in text
    rows = list(csv.DictReader(table.open(encoding="utf-8")))
    assert [r["marker"] for r in rows] == [str(n) for n in sorted(first)]
    assert rows[int(chips[0]) - 1]["cited"] == "yes"
    assert all(r["speaker"] == "Xu Weiran" and r["source"].startswith("https://") for r in rows[:2])


def test_follow_up_uses_the_conversation_and_new_chat_forgets_it(running):
    c = client(running)
    ask(c, "What did Marisa Quell say about the Kelvar Strait?")
    c.predict(api_name="/answer")
    chat, sources, _, _ = ask(c, "What did she say about fishermen?")
    assert len(chat) == 4  # the first exchange stays in the conversation
    second = cards(sources, 2)
    assert second and all("Marisa Quell" in body for body in second.values())
    assert "30,000 dollars" in sources  # her answer on compensating fishermen
    chat, *_ = c.predict(api_name="/answer")
    assert len(chat) == 4 and '<a class="chip" href="#src-2-' in text_of(chat[-1])

    chat, sources, hints, status, files, link = c.predict(api_name="/new_chat")
    assert chat == [] and "Ask a question" in sources
    assert files["value"] is None and files["visible"] is False
    chat, sources, _, _ = ask(c, "What did she say about fishermen?")
    assert len(chat) == 2 and cards(sources, 1)  # a fresh conversation: turn 1 again


def test_filters_are_hard_limits_and_question_hints_can_be_turned_off(running):
    c = client(running)
    _, sources, _, status = ask(c, "What was said about the Kelvar Strait?",
                                speaker_filter=["Tobias Renn"])
    found = cards(sources, 1)
    assert found and all("Tobias Renn" in body for body in found.values())
    assert "filters: speakers Tobias Renn" in status
    _, sources, _, _ = ask(c, "What was said about the Kelvar Strait?", family_filter=["mfa"],
                           date_from="2031-08-01", date_to="2031-12-31")
    assert re.findall(r'class="date">([\d-]+)<', sources)
    assert set(re.findall(r'class="date">([\d-]+)<', sources)) == {"2031-08-19"}

    _, _, hints, _ = ask(c, "What did Xu Weiran say about port fees in May 2031?")
    assert "speaker: Xu Weiran" in hints and "2031-05-01 to 2031-05-31" in hints
    _, _, hints, _ = ask(c, "What did Xu Weiran say about port fees in May 2031?",
                         use_hints=False)
    assert "off" in hints and "speaker:" not in hints



def test_bad_input_is_one_line_beside_its_field_and_the_conversation_stays(running):
    c = client(running)
    ask(c, "What did Xu Weiran say about port fees?")
    c.predict(api_name="/answer")
    for dates, message in ((("2019-13-40", ""), "From date '2019-13-40' is not a date like"),
                           (("2031-09-01", "2031-01-01"), "is after the To date 2031-01-01")):
        chat, sources, hints, status, box, problem = c.predict(
            "What was said about ports?", **{**NO_FILTERS, "date_from": dates[0],
                                             "date_to": dates[1]},
            use_hints=True, api_name="/ask")
        assert message in problem and message in status and status.startswith("Check the filters")
        chat, *_ = c.predict(api_name="/answer")  # nothing to finish
        assert chat == {"__type__": "update"}  # no new value: the conversation stays as it was
    _, _, _, status, *_ = c.predict("   ", **NO_FILTERS, use_hints=True, api_name="/ask")
    assert status == "Type a question first."


def test_filters_that_match_nothing_say_so_and_the_final_status_names_the_filters(running):
    c = client(running)
    ask(c, "What did Marisa Quell say about the Kelvar Strait?",
        speaker_filter=["Marisa Quell"], date_from="2018-01-01", date_to="2018-12-31")
    chat, sources, status, *_ = c.predict(api_name="/answer")
    reply = text_of(chat[-1])
    assert "No passage matched the filters" in reply
    assert "(speakers Marisa Quell; dates 2018-01-01 to 2018-12-31)" in reply
    assert "listed under Sources" not in reply
    assert status.endswith("Filters: speakers Marisa Quell; dates 2018-01-01 to 2018-12-31.")
    ask(c, "What did Xu Weiran say about the Kelvar Strait?", family_filter=["mfa"])
    chat, _, status, *_ = c.predict(api_name="/answer")
    assert "No passage matched" not in text_of(chat[-1])
    assert status.startswith("Answered") and "Filters: sources" in status


@pytest.mark.parametrize("use_hints", [True, False])
def test_a_question_comparing_two_officials_is_answered_side_by_side_with_or_without_hints(
        running, use_hints):
    # Hints off once meant a retriever whose search took no comparison options: a TypeError.
    c = client(running)
    _, sources, _, status = ask(c, "How did Xu Weiran and Marisa Quell differ on the Kelvar "
                                "Strait?", use_hints=use_hints)
    assert "Sources, one search per side" in sources and "Found" in status
    speaker = {n: re.search(r'class="speaker">([^<]+)<', body).group(1)
               for n, body in cards(sources, 1).items()}
    assert set(speaker.values()) == {"Xu Weiran", "Marisa Quell"}
    chat, sources, status, *_ = c.predict(api_name="/answer")
    answer = text_of(chat[-1])
    assert status.startswith("Answered in") and REFUSAL not in answer
    cited = {int(n) for n in re.findall(r'<a class="chip" href="#src-1-(\d+)"', answer)}
    assert {speaker[n] for n in cited} == {"Xu Weiran", "Marisa Quell"}  # both sides cited


def test_a_question_the_briefings_do_not_answer_is_refused_with_the_nearest_excerpts(running):
    c = client(running)
    _, sources, _, _ = ask(c, "How long should a lemon sponge cake bake?")
    chat, sources, status, files, _ = c.predict(api_name="/answer")
    assert "don't answer this" in text_of(chat[-1]) and "chip" not in text_of(chat[-1])
    assert "Nearest excerpts: they do not answer the question" in sources
    assert re.search(r'class="speaker">[^<]+<', sources)  # the excerpts are still shown
    assert REFUSAL in Path(files["value"][0]).read_text(encoding="utf-8")


def test_a_question_about_quoted_words_is_answered_by_the_quote_check(running):
    c = client(running)
    ask(c, 'Who said "port fees are set by the port authority under the law"?')
    chat, sources, status, files, _ = c.predict(api_name="/answer")
    answer = text_of(chat[-1])
    assert answer.startswith("Verbatim: Xu Weiran said these words on 2031-05-06")
    assert "chip" in answer
    assert "Port fees are set by the port authority under the law" in cards(sources, 1)[1]


# --- check a quote ----------------------------------------------------------------------------

def test_check_a_quote_gives_a_verdict_and_a_bad_date_is_one_line(running):
    c = client(running)
    html = c.predict("Port fees are set by the port authority under the law.", "Xu Weiran",
                     "2031-05-06", False, api_name="/verify")
    assert 'class="quote-check verdict-verbatim"' in html and "2031-05-06" in html
    html = c.predict("Port fees are set by the port authority under the law.", "Xu Weiran",
                     "2031-05-07", False, api_name="/verify")
    assert "verdict-misattributed" in html and "not on 2031-05-07" in html
    article = ('"Port fees are set by the government under the law," Xu Weiran said. '
               'He added that "fees should be transparent and apply to every shipping company '
               'equally."')
    html = c.predict(article, None, "", True, api_name="/verify")
    assert html.count('class="quote-check') == 2
    assert "verdict-altered" in html and "verdict-verbatim" in html
    with pytest.raises(Exception, match="is not a date like"):
        c.predict("Port fees are set by the port authority.", None, "2031-13-40", False,
                  api_name="/verify")


# --- compare and timeline ----------------------------------------------------------------------

def test_compare_shows_each_side_and_a_comparison_citing_both(running):
    c = client(running)
    page, status, _ = c.predict("Kelvar Strait", ["Xu Weiran", "Marisa Quell"],
                                api_name="/compare")
    assert status.startswith("Excerpts found for Xu Weiran, Marisa Quell")
    sides = dict(re.findall(r'<div class="side"><h3>([^<]+)</h3>(.*?)(?=<div class="side">|$)',
                            page, re.S))
    assert set(sides) == {"Xu Weiran", "Marisa Quell"}
    for speaker, column in sides.items():
        assert re.findall(r'class="speaker">([^<]+)<', column) and all(
            name == speaker for name in re.findall(r'class="speaker">([^<]+)<', column))
        assert re.search(r'class="date">2031-\d\d-\d\d<', column)
    page, status, files = c.predict(api_name="/compare_answer")
    assert status.startswith("Answered in") and "first words after" in status
    assert [Path(f).name for f in files["value"]] == ["answer.md", "excerpts.csv"]
    comparison = re.search(r'<p class="comparison">(.*?)</p>', page, re.S).group(1)
    assert "<br>" in comparison and "\n" not in comparison  # one line per side, as written
    cited = {int(n) for n in re.findall(r'href="#cmp-(\d+)"', comparison)}
    for column in re.findall(r'<div class="side">(.*?)(?=<div class="side">|$)', page, re.S):
        assert cited & {int(n) for n in re.findall(r'id="cmp-(\d+)"', column)}

    with pytest.raises(AppError, match="two or more speakers"):
        c.predict("Kelvar Strait", ["Xu Weiran"], api_name="/compare")
    page, *_ = c.predict("How did Lan Qiaoming and Tobias Renn see the Kelvar Strait?", [],
                         api_name="/compare")
    assert "<h3>Lan Qiaoming</h3>" in page and "<h3>Tobias Renn</h3>" in page


def marks_of(svg: str) -> list[tuple[str, str]]:
    """(href, tooltip) of each mark of a timeline plot."""
    return [(html.unescape(href), html.unescape(tip)) for href, tip in re.findall(
        r'<a class="open-briefing" href="([^"]*)"><circle [^>]*><title>([^<]*)</title>', svg)]


def test_timeline_marks_each_briefing_with_its_words_and_a_link_to_them(running):
    c = client(running)
    svg, table, note, first, last = c.predict("Kelvar Strait shipping lanes",
                                              ["Xu Weiran", "Marisa Quell"], api_name="/timeline")
    marks = marks_of(svg)
    briefings = sum(int(n) for n in re.findall(r": (\d+) briefings? ", note))
    assert len(marks) == svg.count("<circle") == briefings >= 3
    lanes = re.findall(r'<g class="lane" data-speaker="([^"]+)">', svg)
    assert lanes == ["Xu Weiran", "Marisa Quell"] and "00:00:00" not in svg + table
    assert all(href.startswith("?briefing=") and "&start=" in href for href, _ in marks)
    for _, tip in marks:
        day, speaker, _ = tip.split(" · ", 2)
        assert re.fullmatch(r"2031-\d\d-\d\d", day) and speaker in lanes
        assert "Kelvar Strait" in tip or "shipping lanes" in tip
    rows = re.findall(r'<tr><td class="date">([^<]+)</td><td class="speaker">([^<]+)</td>.*?'
                      r'<a class="open-briefing" href="(\?briefing=[^"]+)"', table)
    assert len(rows) == briefings and [r[0] for r in rows] == sorted(r[0] for r in rows)
    assert {html.unescape(r[2]) for r in rows} == {href for href, _ in marks}
    assert (first, last) == (rows[0][0], rows[-1][0])   # the From/To boxes: the whole period
    assert note.startswith("Xu Weiran: ") and "Marisa Quell: " in note


def test_timeline_zooms_by_date_on_the_marks_found_without_a_new_search(running):
    c = client(running)
    with pytest.raises(AppError, match="Show a timeline first"):
        c.predict("2031-06-01", "", api_name="/timeline_zoom")
    svg, table, note, first, last = c.predict("Kelvar Strait shipping lanes",
                                              ["Xu Weiran", "Marisa Quell"], api_name="/timeline")
    dates = sorted(tip[:10] for _, tip in marks_of(svg))
    zoomed, zoomed_table, zoomed_note = c.predict("2031-06-01", "", api_name="/timeline_zoom")
    later = [d for d in dates if d >= "2031-06-01"]
    assert sorted(tip[:10] for _, tip in marks_of(zoomed)) == later and 0 < len(later) < len(dates)
    assert zoomed_table.count("<tr><td") == len(later)
    assert f"Showing 2031-06-01 to …: {len(later)} of {len(dates)} briefings." in zoomed_note
    lanes = re.findall(r'<g class="lane" data-speaker="([^"]+)">', svg)
    assert re.findall(r'<g class="lane" data-speaker="([^"]+)">', zoomed) == lanes
    whole, *_ = c.predict(first, last, api_name="/timeline_zoom")
    assert marks_of(whole) == marks_of(svg)
    with pytest.raises(AppError, match="after the To date"):
        c.predict(last, first, api_name="/timeline_zoom")


# --- the index tab -----------------------------------------------------------------------------

NEW_BRIEFING = """Title: Harbour board briefing (fictional sample)
Date: October 2, 2031

Moderator: Good morning. The harbour commissioner will take questions.

Q: When will the Pell Island lighthouse reopen?

Oren Castellane: The Pell Island lighthouse reopens on November 12 after repairs to its lamp
room and foghorn. The work cost 14 million crowns.
"""


def test_upload_reports_bad_files_by_name_and_indexes_good_ones_while_a_generation_runs(
        running, tmp_path):
    good = tmp_path / "harbour_board.txt"
    good.write_text(NEW_BRIEFING, encoding="utf-8")
    (tmp_path / "shopping_list.txt").write_text("eggs\nmilk\nbread\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    busy, other = client(running), client(running)
    gen = running.generator
    gen.gate.clear()  # a generation in progress holds the model for the whole upload
    ask(busy, "What did Lan Qiaoming say about seawalls?")
    generation = busy.submit(api_name="/answer")
    try:
        started = time.perf_counter()
        report, _, stats, *_ = other.predict(
            [handle_file(str(tmp_path / n)) for n in
             ("shopping_list.txt", "empty.txt", "photo.png", "harbour_board.txt")],
            api_name="/add_transcripts")
        _, sources, _, _ = ask(other, "When does the Pell Island lighthouse reopen?")
        assert not generation.done()  # all of that happened while the model was busy
    finally:
        gen.gate.set()
    generation.result()
    assert time.perf_counter() - started < 60
    rows = {name: (status, reason) for name, status, reason in re.findall(
        r'<td class="name">([^<]+)</td><td class="status">([^<]+)</td>'
        r'<td class="reason">([^<]*)</td>', report)}
    assert rows["shopping_list.txt"] == ("skipped", "no transcript format recognised "
                                         "(no &#x27;Name:&#x27; speaker turns)")
    assert rows["empty.txt"] == ("failed", "empty file")
    assert rows["photo.png"][0] == "failed" and "unsupported file type" in rows["photo.png"][1]
    assert rows["harbour_board.txt"][0] == "indexed"
    assert "Oren Castellane" in sources and "November 12" in sources
    assert "Oren Castellane" in stats
    kept = sorted(p.name for p in running.uploads.iterdir())
    assert kept == ["harbour_board.txt"]  # rejected files are not kept


def test_generation_is_queued_one_at_a_time_and_retrieval_stays_responsive(running):
    gen = running.generator
    first, second, third = client(running), client(running), client(running)
    gen.gate.clear()
    try:
        ask(first, "What did Xu Weiran say about port fees?")
        ask(second, "How much will Teng Yuhua pay each licensed fishing household?")
        one = first.submit(api_name="/answer")
        deadline = time.time() + 30
        while gen.writing == 0 and time.time() < deadline:
            time.sleep(0.05)
        two = second.submit(api_name="/answer")
        queued = None
        while time.time() < deadline and queued is None:
            status = two.status()
            if status.code.name == "IN_QUEUE" and status.rank is not None:
                queued = status
            time.sleep(0.05)
        assert queued is not None and queued.rank == 0  # next in line, told its position
        started = time.perf_counter()
        _, sources, _, _ = ask(third, "What did Tobias Renn say about the shipping lanes?")
        assert time.perf_counter() - started < 15 and "Tobias Renn" in sources
        assert not one.done() and not two.done()
    finally:
        gen.gate.set()
    assert "chip" in text_of(one.result()[0][-1]) and "chip" in text_of(two.result()[0][-1])
    assert gen.most_at_once == 1


def test_the_page_and_the_api_are_served_by_one_process(running):
    base = running.url.rstrip("/")
    assert httpx.get(base + "/api/stats").json()["briefings"] >= 5
    assert httpx.get(base + "/healthz").json()["model"] == "quoting"
    assert httpx.get(base + "/v1/models").status_code == 200
    assert "swagger" in httpx.get(base + "/docs").text.lower()
    page = httpx.get(base + "/")
    assert page.status_code == 200 and "gradio" in page.text.lower()


def test_the_api_key_comes_from_the_environment_and_only_host_opens_the_api(monkeypatch):
    monkeypatch.delenv("BRIEFINGS_API_KEY", raising=False)
    assert access_rule(None) == Access(key="", loopback_only=True)
    assert access_rule("0.0.0.0") == Access(key="", loopback_only=False)
    monkeypatch.setenv("BRIEFINGS_API_KEY", "k")
    assert access_rule(None).key == "k"


def test_login_is_required_when_configured_and_the_app_binds_loopback(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEFINGS_USER", "analyst")
    monkeypatch.setenv("BRIEFINGS_PASSWORD", "correct horse")
    run = start_app(tmp_path, extractive=True)
    try:
        assert run.app.host == "127.0.0.1"
        with pytest.raises(Exception):
            Client(run.url, verbose=False)
        with pytest.raises(Exception):
            Client(run.url, auth=("analyst", "wrong"), verbose=False)
        c = Client(run.url, auth=("analyst", "correct horse"), verbose=False)
        ask(c, "How much will Teng Yuhua pay each licensed fishing household?")
        chat, *_ = c.predict(api_name="/answer")
        assert "9,000 yuan" in text_of(chat[-1])  # the extractive answer quotes the passage
    finally:
        run.app.close()


# --- views and exports on their own ----------------------------------------------------------

def _passage(text: str, **extra) -> Passage:
    base = dict(speaker="Ada <b>Vance</b>", role="official", date="2031-02-03",
                title="Briefing <script>alert(1)</script> (fictional)", source="generic",
                location="javascript:alert(1)", briefing_id="b", turn_order=2, id=7,
                question="Is <i>this</i> data?")
    return Passage(text=text, **{**base, **extra})


def test_transcript_and_model_text_are_escaped_and_only_valid_markers_become_chips():
    text = "We said <img src=x onerror=alert(1)> & more. Second sentence here."
    source = Source(1, _passage(text), text, 0)
    answer = Answer(question="What <u>now</u>?", text="It was said [1] and [4].",
                    sources=[source], citations=[Citation(1, source, [(0, 7)])])
    panel = views.sources_panel([answer])
    assert "<img" not in panel and "&lt;img src=x onerror=alert(1)&gt; &amp; more" in panel
    assert "<script>" not in panel and "<b>Vance" not in panel and "<i>this" not in panel
    assert 'href="javascript:' not in panel  # only http(s) locations become links
    assert '<mark class="cited">We said</mark>' in panel
    message = views.chat_messages([answer])
    assert message[0]["content"] == "What &lt;u&gt;now&lt;/u&gt;?"
    assert message[1]["content"].startswith('It was said <a class="chip" href="#src-1-1" '
                                            'title="Show source 1">1</a> and [4].\n\n')
    # copying the answer gives its text (markers, sources list), kept escaped in the panel
    assert 'href="#text-1">Copy as text</a>' in message[1]["content"]
    kept = re.search(r'<textarea class="answer-text" id="text-1" hidden readonly>(.*?)</textarea>',
                     panel, re.S).group(1)
    assert "<img" not in kept and html.unescape(kept) == answer.as_text()
    assert answer.as_text().startswith("It was said [1] and [4].\n\nSources:\n[1] ")
    two = Answer(question="q", text="Both [1, 2] and [Passage 2].",
                 sources=[source, Source(2, _passage(text, id=8), text, 0)])
    assert views.chat_messages([two])[1]["content"].count('class="chip"') == 3


def test_exports_hold_the_answer_citations_and_excerpts(tmp_path):
    text = "Ports stay open. Fees are unchanged."
    cited = Source(1, _passage(text, location="https://example.org/b1"), text, 0)
    other = Source(2, _passage("Nothing else.", id=8, speaker="Ben Ode"), "Nothing else.", 0)
    answer = Answer(question="Are ports open?", text="Ports stay open [1].",
                    sources=[cited, other], citations=[Citation(1, cited, [(0, 16)])])
    markdown = answer_markdown(answer)
    assert markdown.startswith("# Are ports open?\n\nPorts stay open [1].")
    assert "[1] Ada <b>Vance</b> (official), 2031-02-03" in markdown
    assert "<https://example.org/b1>" in markdown and "[2] Ben Ode" in markdown
    assert "(not cited)" in markdown.split("[2]")[1]
    md_path, csv_path = write_exports(answer, tmp_path)
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    assert [(r["marker"], r["cited"], r["speaker"]) for r in rows] == [
        ("1", "yes", "Ada <b>Vance</b>"), ("2", "no", "Ben Ode")]
    assert rows[0]["excerpt"] == text and rows[0]["question"] == "Is <i>this</i> data?"


def test_filter_controls_become_filters():
    filters = read_filters(["Xu Weiran"], " 2031-05-01 ", "", ["mfa"])
    assert (filters.speakers, filters.date_from, filters.date_to, filters.sources) == (
        ["Xu Weiran"], "2031-05-01", None, ["mfa"])
    with pytest.raises(ValueError, match="'31/05/2031' is not a date"):
        read_filters([], "", "31/05/2031", [])


def test_the_generation_lane_takes_as_many_replies_as_the_model_writes_at_once(running):
    from rag.config import load
    from ui.app import build_app
    from ui.service import Service

    class TwoSlots(QuotingGenerator):
        concurrency = 2   # a server with two parallel slots

    index = running.app.index
    for generator, expected in ((QuotingGenerator(), 1), (TwoSlots(), 2)):
        page = build_app(Service(index, running.uploads, generator=generator), load().ui.queue)
        lanes = {f.api_name: f.concurrency_limit for f in page.fns.values()}
        assert lanes["answer"] == lanes["compare_answer"] == expected
        assert lanes["ask"] == load().ui.queue.retrieval_concurrency


def _mark(day: str, speaker: str, similarity: float, **extra) -> TimelineMark:
    text = "Hello <b>there</b>. The dam holds."
    passage = _passage(text, date=day, speaker=speaker, **extra)
    start = text.index("The dam")
    return TimelineMark(speaker, day, text[start:], start, passage, similarity, 2)


def test_timeline_plot_escapes_its_words_sizes_marks_by_relevance_and_ticks_the_period():
    marks = [_mark("2031-02-03", "Ada <b>Vance</b>", 0.5),
             _mark("2032-07-20", "Ada <b>Vance</b>", 0.9, briefing_id="c"),
             _mark("2033-11-01", "Tom & Co", 0.7, briefing_id="d")]
    svg = timeline_view.timeline_svg(marks, ["Tom & Co", "Nobody"])
    assert "<b>" not in svg and "<script>" not in svg
    assert re.findall(r'data-speaker="([^"]+)"', svg) == [
        "Tom &amp; Co", "Nobody", "Ada &lt;b&gt;Vance&lt;/b&gt;"]   # the lanes asked for first
    radii = [float(r) for r in re.findall(r'<circle [^>]* r="([\d.]+)"', svg)]
    assert radii[1] < radii[0] < radii[2]   # 0.7, then 0.5 and 0.9 in Ada's lane
    assert re.findall(r'<g class="tick major">.*?>(\d{4})</text>', svg) == ["2032", "2033"]
    tip = html.unescape(marks_of(svg)[0][1])
    assert tip.startswith("2033-11-01 · Tom & Co · 2 statements\n“The dam holds.”")
    # zoomed: months ticked, the first with its year; sizes kept from the whole timeline
    zoomed = timeline_view.timeline_svg(marks[1:2], ["Tom & Co", "Ada <b>Vance</b>"], "2032-05-01",
                                "2032-09-30", relevance=(0.5, 0.9))
    assert re.findall(r'<g class="tick (\w+)">.*?>([^<]+)</text>', zoomed) == [
        ("major", "May 2032"), ("minor", "Jun"), ("minor", "Jul"), ("minor", "Aug"),
        ("minor", "Sep")]
    # Ada keeps the second lane and its colour, Tom's lane stays, empty
    whole = timeline_view.timeline_svg(marks, ["Tom & Co", "Ada <b>Vance</b>"])
    assert re.findall(r'<circle [^>]* r="([\d.]+)" fill="([^"]+)"', zoomed) == [
        ("11.0", re.findall(r'<circle [^>]* fill="([^"]+)"', whole)[2])]
    assert len(re.findall(r'data-speaker=', zoomed)) == 2
    assert "No briefing" in timeline_view.timeline_svg([], ["Ada"])
    table = timeline_view.timeline_table(marks)
    assert table.count('<td class="date">') == 3 and "<b>" not in table
    assert 'href="?briefing=c&amp;turn=2&amp;passage=7&amp;start=20&amp;end=34"' in table



def test_speaker_menus_list_people_by_name_with_counts_and_roles_apart(running):
    config = httpx.get(running.url + "config").json()
    menus = {c["props"].get("elem_id"): c["props"]["choices"] for c in config["components"]
             if c.get("type") == "dropdown" and c["props"].get("elem_id")}
    choices = menus["speakers"]
    assert choices == menus["compare-speakers"] == menus["timeline-speakers"]
    values = [value for _, value in choices]
    people = [v for label, v in choices if "a role, not a name" not in label]
    assert people == sorted(people, key=str.casefold) and values[:len(people)] == people
    assert all(re.fullmatch(r".+ \(\d+ briefings?\)", label) for label, _ in choices)
    assert ["Marisa Quell (2 briefings)", "Marisa Quell"] in choices
    assert views.speaker_choices([("Aide", 3, False)]) == [
        ("Aide · a role, not a name (3 briefings)", "Aide")]
