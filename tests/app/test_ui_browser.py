"""The web app end to end in headless Chromium (Playwright, Debian's /usr/bin/chromium).

One app on an index of sample_corpus, answering with the quoting stand-in model (see
tests/ui_helpers.py), held back at first so the test sees the sources panel before any answer
text. Screenshots of each step go to test-output/ui_browser/.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from ui_helpers import ROOT, QuotingGenerator, start_app

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "test-output" / "ui_browser"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed (make browser)")
    sync_api = pytest.importorskip("playwright.sync_api")
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    run = start_app(tmp_path_factory.mktemp("ui_browser"), QuotingGenerator(delay_s=0.05))
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        # the copy buttons write to the clipboard; the tests read it back
        context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                      permissions=["clipboard-read", "clipboard-write"])
        tab = context.new_page()
        tab.set_default_timeout(60_000)
        errors: list[str] = []
        tab.on("pageerror", lambda err: errors.append(str(err)))
        tab.goto(run.url)
        tab.wait_for_selector("#question textarea")
        tab.run = run
        tab.errors = errors
        yield tab
        run.generator.gate.set()
        browser.close()
    run.app.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def both_widths(page, name: str) -> None:
    """Screenshots of the page as it is at 1400 px (desktop) and 420 px (a phone)."""
    shot(page, f"{name}-1400")
    page.set_viewport_size({"width": 420, "height": 900})
    try:
        page.wait_for_timeout(300)  # let the layout settle
        shot(page, f"{name}-420")
    finally:
        page.set_viewport_size({"width": 1400, "height": 1000})


def clipboard(page) -> str:
    return page.evaluate("navigator.clipboard.readText()")


def open_filters(page) -> None:
    if not page.locator("#date-from textarea").is_visible():
        page.locator("#filters").get_by_text("Filters: speakers, dates, sources").click()
    page.locator("#date-from textarea").wait_for(state="visible")


def test_ask_shows_sources_first_then_a_streamed_answer_whose_chips_open_the_sources(page):
    gen = page.run.generator
    gen.gate.clear()
    page.fill("#question textarea", "What did Xu Weiran say about the Kelvar Strait?")
    page.click("#ask")
    card = page.locator("#src-1-1")
    card.wait_for()
    # retrieval is done and shown while the model has not written a word
    assert "Xu Weiran" in card.locator(".speaker").inner_text()
    assert re.fullmatch(r"2031-\d\d-\d\d", card.locator(".date").inner_text())
    assert card.locator(".asked").inner_text().startswith("Asked:")
    assert card.locator(".briefing a").get_attribute("href").startswith("https://example.org/")
    second = page.context.browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        assert page.locator("#chat a.chip").count() == 0
        assert "The speaker said" not in page.locator("#chat").inner_text()
        shot(page, "1-sources-before-the-answer")
        # another session's question gets its sources at once, then waits its turn, told where
        second.goto(page.run.url)
        second.fill("#question textarea", "What did Teng Yuhua promise fishing households?")
        second.click("#ask")
        second.locator("#src-1-1").wait_for()
        second.locator("#status").get_by_text(re.compile(r"queue: 1/1")).wait_for()
        second.screenshot(path=str(SHOTS / "1b-second-session-queued.png"))
    finally:
        gen.gate.set()
        second.close()
    page.wait_for_function("document.querySelector('#status').innerText.includes('Answered')")
    chips = page.locator("#chat a.chip")
    assert chips.count() >= 2
    target = chips.nth(1).get_attribute("href")[1:]
    page.locator(f"#{target} > summary").click()  # close the card, so the chip must reopen it
    assert page.locator(f"#{target}").get_attribute("open") is None
    chips.nth(1).click()
    cited = page.locator(f"#{target}")
    page.wait_for_function(f"document.getElementById('{target}').classList.contains('flash')")
    assert cited.get_attribute("open") is not None and cited.is_visible()
    assert cited.locator(".speaker").inner_text() == "Xu Weiran"
    marked = cited.locator("mark.cited").inner_text()
    assert marked and marked in page.locator("#chat").inner_text().replace("\n", " ")
    page.locator('#exports a[download="answer.md"]').wait_for()
    assert page.locator('#exports a[download="excerpts.csv"]').count() == 1
    both_widths(page, "2-answer-with-chips")
    assert not page.errors


def test_compare_shows_a_column_per_speaker_and_a_comparison_citing_them(page):
    page.get_by_role("tab", name="Compare").click()
    page.fill("#compare-topic textarea",
              "How did Xu Weiran and Marisa Quell differ on the Kelvar Strait?")
    gen = page.run.generator
    gen.gate.clear()
    try:
        page.click("#compare-run")
        # Held back, the model has written nothing: each side's excerpts are shown already,
        # and the status names the side being written.
        page.locator("#compare-status").get_by_text(
            re.compile(r"Writing .+'s side \(1 of 2\)")).wait_for()
        sides = page.locator("#comparison .side").all()
        assert len(sides) == 2 and all(s.locator("details.source").count() for s in sides)
        assert page.locator("#comparison p.comparison a.chip").count() == 0
    finally:
        gen.gate.set()
    page.locator("#comparison p.comparison a.chip").first.wait_for()
    page.wait_for_function(
        "!document.querySelector('#comparison .pending') && "
        "document.querySelector('#comparison p.comparison').innerText.length > 0")
    headers = page.locator("#comparison .side h3").all_inner_texts()
    assert sorted(headers) == ["Marisa Quell", "Xu Weiran"]
    for side in page.locator("#comparison .side").all():
        assert side.locator(".date").count() >= 1
    status = page.locator("#compare-status")
    status.get_by_text("Answered in").wait_for()
    assert re.search(r"excerpts found in \d+ ms, first words after [\d.]+ s", status.inner_text())
    page.locator('#compare-exports a[download="answer.md"]').wait_for()
    both_widths(page, "3-compare")


def test_timeline_marks_each_briefing_readably_at_both_widths_and_zooms_by_date(page):
    page.get_by_role("tab", name="Timeline").click()
    page.fill("#timeline-topic textarea", "Kelvar Strait shipping lanes")
    page.click("#timeline-run")
    page.locator("#timeline-note").get_by_text("Searched:").wait_for()
    marks = page.locator("#timeline-plot a.open-briefing circle")
    note = page.locator("#timeline-note").inner_text()
    briefings = sum(int(n) for n in re.findall(r": (\d+) briefings? ", note))
    assert marks.count() == briefings >= 3
    plot = page.locator("#timeline-plot svg").bounding_box()
    for i in range(marks.count()):
        box = marks.nth(i).bounding_box()
        assert plot["x"] <= box["x"] and box["x"] + box["width"] <= plot["x"] + plot["width"]
    tips = page.locator("#timeline-plot circle title").all_text_contents()
    assert len(tips) == briefings
    for tip in tips:
        day, speaker, said = tip.split(" · ", 2)
        assert re.fullmatch(r"2031-\d\d-\d\d", day) and speaker in note
        assert "“" in said and "00:00:00" not in tip
    assert page.locator("#timeline-table tbody tr").count() == briefings
    assert "00:00:00" not in page.locator("#timeline-table").inner_text()
    shot(page, "4-timeline-1400")
    page.set_viewport_size({"width": 420, "height": 900})
    try:
        page.wait_for_timeout(300)  # let the layout settle
        # a date stays on one line, and the marks within the narrow plot
        lines = page.evaluate("""() => [...document.querySelectorAll('#timeline-table td.date')]
            .map(td => td.getBoundingClientRect().height
                       / parseFloat(getComputedStyle(td).lineHeight))""")
        assert lines and max(lines) < 1.5, lines
        narrow = page.locator("#timeline-plot svg").bounding_box()
        assert narrow["width"] <= 420
        last = marks.nth(marks.count() - 1).bounding_box()
        assert last["x"] + last["width"] <= narrow["x"] + narrow["width"]
        shot(page, "4-timeline-420")
    finally:
        page.set_viewport_size({"width": 1400, "height": 1000})

    later = [t for t in tips if t[:10] >= "2031-06-01"]
    page.fill("#timeline-from textarea", "2031-06-01")
    page.click("#timeline-zoom")
    page.locator("#timeline-note").get_by_text("Showing 2031-06-01").wait_for()
    assert 0 < marks.count() == len(later) < briefings
    assert page.locator("#timeline-table tbody tr").count() == len(later)
    shot(page, "4-timeline-zoomed")


def test_a_timeline_over_a_year_marks_every_month_spoken_in_and_a_mark_opens_the_briefing(
        page, tmp_path):
    # The fictional waterways briefings (tests/fixtures/timeline/README): Anselm Korr on the
    # Varra dam in ten briefings from January to November, none in April or July.
    run = start_app(tmp_path, QuotingGenerator(), corpus=ROOT / "tests" / "fixtures" / "timeline")
    other = page.context.browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        tab = other.new_page()
        tab.set_default_timeout(60_000)
        tab.goto(run.url)
        tab.get_by_role("tab", name="Timeline").click()
        tab.locator("#timeline-speakers input").click()
        tab.get_by_role("option", name=re.compile("^Anselm Korr")).click()
        tab.keyboard.press("Escape")
        tab.fill("#timeline-topic textarea", "the Varra dam")
        tab.click("#timeline-run")
        tab.locator("#timeline-note").get_by_text("Searched:").wait_for()
        tips = tab.locator("#timeline-plot circle title").all_text_contents()
        months = sorted({tip[:7] for tip in tips})
        assert months == ["2032-01", "2032-02", "2032-03", "2032-05", "2032-06", "2032-08",
                          "2032-09", "2032-11"]
        assert all(" · Anselm Korr · " in tip for tip in tips)
        assert "10 briefings from 2032-01 to 2032-11" in tab.locator("#timeline-note").inner_text()
        both_widths(tab, "13-timeline-a-year")
        # The August mark opens that briefing with the statement highlighted.
        august = next(i for i, tip in enumerate(tips) if tip.startswith("2032-08"))
        said = re.search(r"“(.+?)[”…]", tips[august]).group(1)
        tab.locator("#timeline-plot a.open-briefing").nth(august).click()
        view = tab.locator("#briefing-view")
        view.locator("mark.excerpt").wait_for()
        assert "August 25, 2032" in view.locator(".briefing-head").inner_text() or \
            "2032-08-25" in view.locator(".briefing-head").inner_text()
        assert said[:40] in view.locator("mark.excerpt").inner_text()
        tab.wait_for_function("(() => { const m = document.getElementById('excerpt'); if (!m)"
                              " return false; const r = m.getBoundingClientRect(); return "
                              "r.top >= 0 && r.bottom <= window.innerHeight; })()")
        both_widths(tab, "14-timeline-mark-opens-briefing")
    finally:
        other.close()
        run.app.close()


def test_check_a_quote_shows_the_verdict_and_the_changed_words_in_the_transcript(page):
    page.get_by_role("tab", name="Check a quote").click()
    page.fill("#quote-text textarea", "Port fees are set by the government under the law.")
    page.fill("#quote-speaker input", "Xu Weiran")
    page.click("#quote-check")
    result = page.locator("#quote-result .quote-check.verdict-altered")
    result.wait_for()
    assert result.locator(".badge").inner_text() == "Altered"
    # the transcript's words the quote changed, struck through, with the quote's beside them
    assert result.locator("del.said").inner_text() == "port authority"
    assert result.locator("ins.quoted").inner_text() == "government"
    assert result.locator("del.said").is_visible()
    assert "Xu Weiran" in result.locator(".source .speaker").inner_text()
    assert result.locator(".source .date").inner_text() == "2031-05-06"
    both_widths(page, "5-quote-check-altered")
    assert not page.errors


def test_upload_reports_a_bad_file_by_name_with_its_reason(page, tmp_path):
    bad = tmp_path / "grocery_list.txt"
    bad.write_text("eggs\nmilk\nbread\n", encoding="utf-8")
    page.get_by_role("tab", name="Index").click()
    before = page.locator("#stats").inner_text()
    assert "Briefings" in before
    page.set_input_files("#upload input[type=file]", [str(bad)])
    page.locator("#upload").get_by_text("grocery_list.txt").first.wait_for()
    page.click("#add")
    row = page.locator("#upload-report tr.skipped")
    row.wait_for()
    assert row.locator(".name").inner_text() == "grocery_list.txt"
    assert "no transcript format recognised" in row.locator(".reason").inner_text()
    both_widths(page, "6-upload-report")
    assert not page.errors


def test_copy_gives_the_answer_as_text_with_markers_and_the_citation_of_an_excerpt(page):
    page.get_by_role("tab", name="Ask").click()
    page.locator("#chat a.copy-text").first.click()
    text = clipboard(page)
    answer, _, sources = text.partition("\n\nSources:\n")
    assert re.search(r"\[\d+\]", answer) and "<" not in text  # markers, not chips or HTML
    lines = sources.splitlines()
    assert lines and all(re.match(r'\[\d+\] Xu Weiran, .*"[^"]+", 2031-\d\d-\d\d, https://', x)
                         for x in lines)
    page.locator("#src-1-1 button.copy-citation").click()
    citation = clipboard(page)
    card = page.locator("#src-1-1")
    assert citation.startswith(card.locator(".speaker").inner_text() + ", ")
    assert f'"{card.locator(".briefing a").inner_text()}"' in citation
    assert card.locator(".date").inner_text() in citation and "https://example.org/" in citation
    words = citation.rsplit(': "', 1)[1].rstrip('"')
    assert words and " ".join(words.split()) in " ".join(card.locator(".passage").inner_text().split())
    assert not page.errors


def test_an_excerpt_opens_in_the_briefing_view_in_place_and_from_its_link_in_a_new_context(page):
    page.get_by_role("tab", name="Ask").click()
    card = page.locator("#src-1-1")
    card.locator("summary").click() if card.get_attribute("open") is None else None
    cited = card.locator("mark.cited").first.inner_text()
    link = card.locator("a.open-briefing")
    href = link.get_attribute("href")
    assert href.startswith("?briefing=")
    link.click()
    view = page.locator("#briefing-view")
    mark = view.locator("mark.excerpt")
    mark.wait_for()
    assert view.locator("mark.cited").inner_text() == cited
    page.wait_for_function("(() => { const r = document.getElementById('excerpt')"
                           ".getBoundingClientRect(); return r.top >= 0 && "
                           "r.bottom <= window.innerHeight; })()")  # scrolled to
    rows = view.locator(".turn-row")
    assert rows.count() > 3 and view.locator(".turn-row.role-journalist").count() >= 1
    assert view.locator(".briefing-head a").first.get_attribute("href").startswith("https://")
    both_widths(page, "7-briefing-view")

    other = page.context.browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        fresh = other.new_page()
        fresh.goto(page.run.url + href)
        fresh.locator("#briefing-view mark.excerpt").wait_for()
        assert fresh.locator("#briefing-view mark.cited").inner_text() == cited
        fresh.wait_for_function("(() => { const m = document.getElementById('excerpt'); if (!m)"
                                " return false; const r = m.getBoundingClientRect(); return "
                                "r.top >= 0 && r.bottom <= window.innerHeight; })()")
        fresh.screenshot(path=str(SHOTS / "8-excerpt-permalink-new-context.png"))
    finally:
        other.close()
    assert not page.errors


def test_an_answer_s_address_reopens_the_conversation_after_a_reload_and_in_a_new_context(page):
    page.get_by_role("tab", name="Ask").click()
    assert "?answer=" in page.url
    question = "What did Xu Weiran say about the Kelvar Strait?"
    answer = page.locator("#chat .message-row").last.inner_text() if page.locator(
        "#chat .message-row").count() else page.locator("#chat").inner_text()
    other = page.context.browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        fresh = other.new_page()
        fresh.goto(page.url)
        fresh.locator("#src-1-1").wait_for()
        assert question in fresh.locator("#chat").inner_text()
        assert fresh.locator("#chat a.chip").count() == page.locator("#chat a.chip").count()
        assert answer.split("Copy as text")[0].strip() in fresh.locator("#chat").inner_text()
        assert fresh.locator("#chat a.permalink").first.get_attribute("href") in page.url
        fresh.screenshot(path=str(SHOTS / "9-answer-permalink-new-context.png"))
    finally:
        other.close()


def test_a_bad_date_is_told_beside_the_field_and_the_conversation_stays_visible(page):
    page.get_by_role("tab", name="Ask").click()
    before = page.locator("#chat").inner_text()
    open_filters(page)
    page.fill("#date-from textarea", "2019-13-40")
    page.fill("#question textarea", "What was said about port fees?")
    page.click("#ask")
    message = page.locator("#filter-error")
    message.get_by_text("is not a date like").wait_for()
    assert "2019-13-40" in message.inner_text()
    field, told = page.locator("#date-from").bounding_box(), message.bounding_box()
    assert 0 <= told["y"] - (field["y"] + field["height"]) < 120  # right under the date fields
    page.locator("#status").get_by_text("Check the filters").wait_for()
    assert page.locator("#chat").inner_text() == before  # the conversation is untouched
    assert page.get_by_text("Error", exact=True).count() == 0  # no error badges over the panel
    both_widths(page, "10-bad-date-beside-the-field")
    page.fill("#date-from textarea", "")


def test_filters_matching_nothing_say_so_and_name_the_filters(page):
    page.get_by_role("tab", name="Ask").click()
    open_filters(page)
    page.fill("#date-from textarea", "2018-01-01")
    page.fill("#date-to textarea", "2018-12-31")
    page.fill("#question textarea", "What did Xu Weiran say about port fees?")
    page.click("#ask")
    page.locator("#chat").get_by_text("No passage matched the filters").wait_for()
    assert "dates 2018-01-01 to 2018-12-31" in page.locator("#chat").inner_text()
    page.wait_for_function("document.querySelector('#status').innerText.includes('Answered')")
    assert "Filters: dates 2018-01-01 to 2018-12-31" in page.locator("#status").inner_text()
    assert page.locator("#filter-error").inner_text().strip() == ""
    both_widths(page, "11-filters-match-nothing")
    page.fill("#date-from textarea", "")
    page.fill("#date-to textarea", "")


UPLOADED = """Title: Lighthouse board briefing (fictional sample)
Date: November 3, 2031
Speakers: Oren Castellane, harbour commissioner

Moderator: Good morning. The commissioner will take questions.

Q: When will the Pell Island lighthouse reopen?

Oren Castellane: The Pell Island lighthouse reopens on December 12 after repairs to its lamp
room and foghorn.

Q: What did the repairs cost?

Oren Castellane: The repairs cost 14 million crowns, paid from the harbour fund.
"""


def test_the_briefing_view_of_an_uploaded_transcript(page, tmp_path):
    upload = tmp_path / "lighthouse_board.txt"
    upload.write_text(UPLOADED, encoding="utf-8")
    page.get_by_role("tab", name="Index").click()
    page.set_input_files("#upload input[type=file]", [str(upload)])
    page.locator("#upload").get_by_text("lighthouse_board.txt").first.wait_for()
    page.click("#add")
    page.locator("#upload-report tr.indexed").wait_for()
    page.get_by_role("tab", name="Ask").click()
    page.click("#new-chat")
    page.fill("#question textarea", "What did the lighthouse repairs cost?")
    page.click("#ask")
    card = page.locator("#src-1-1")
    card.wait_for()
    assert card.locator(".speaker").inner_text() == "Oren Castellane"
    page.wait_for_function("document.querySelector('#status').innerText.includes('Answered')")
    card.locator("a.open-briefing").click()
    view = page.locator("#briefing-view")
    view.locator("mark.excerpt").wait_for()
    assert "Lighthouse board briefing" in view.locator(".briefing-head").inner_text()
    assert "2031-11-03" in view.locator(".briefing-head").inner_text()
    speakers = view.locator(".turn-row .speaker").all_inner_texts()
    assert speakers.count("Oren Castellane") == 2 and "14 million crowns" in view.inner_text()
    # a file has no web page: no link to an original
    assert view.locator(".briefing-head a").count() == 0
    both_widths(page, "12-briefing-view-of-an-upload")
    assert not page.errors
