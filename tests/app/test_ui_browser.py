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
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
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
    shot(page, "2-answer-with-chips")
    assert not page.errors


def test_compare_shows_a_column_per_speaker_and_a_comparison_citing_them(page):
    page.get_by_role("tab", name="Compare").click()
    page.fill("#compare-topic textarea",
              "How did Xu Weiran and Marisa Quell differ on the Kelvar Strait?")
    page.click("#compare-run")
    page.locator("#comparison p.comparison a.chip").first.wait_for()
    page.wait_for_function(
        "!document.querySelector('#comparison .pending') && "
        "document.querySelector('#comparison p.comparison').innerText.length > 0")
    headers = page.locator("#comparison .side h3").all_inner_texts()
    assert sorted(headers) == ["Marisa Quell", "Xu Weiran"]
    for side in page.locator("#comparison .side").all():
        assert side.locator(".date").count() >= 1
    shot(page, "3-compare")


def test_timeline_plots_statements_with_readable_excerpts(page):
    page.get_by_role("tab", name="Timeline").click()
    page.fill("#timeline-topic textarea", "Kelvar Strait shipping lanes")
    page.click("#timeline-run")
    page.locator("#timeline-note").get_by_text("statements").wait_for()
    points = page.locator("#timeline-plot g.mark-symbol.role-mark path")
    points.first.wait_for()
    statements = int(re.match(r"(\d+) statements", page.locator("#timeline-note").inner_text())[1])
    assert points.count() == statements >= 2
    legend = page.locator("#timeline-plot .role-legend").get_attribute("aria-label")
    assert "speaker" in legend
    points.first.hover()
    tooltip = page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible")
    assert "excerpt" in tooltip.inner_text() and "speaker" in tooltip.inner_text()
    shot(page, "4-timeline")


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
    shot(page, "5-quote-check-altered")
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
    shot(page, "6-upload-report")
    assert not page.errors
