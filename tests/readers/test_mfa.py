"""The Foreign Ministry reader on self-written pages: chrome, labels, dates, list pages."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rag.readers import NotATranscript, Page, ReadError, read_group
from rag.readers import mfa
from rag.readers.html import paragraphs, parse
from rag.records import JOURNALIST, MFA, OFFICIAL

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mfa"
TRANSCRIPT = FIXTURES / "t9000101.shtml"
YEARLESS = FIXTURES / "t9000102.shtml"
LIST_PAGE = FIXTURES / "default.shtml"
URL_BASE = "https://www.fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/2511_665403/"


def read_one(path: Path, text: str | None = None):
    briefings = mfa.read([Page(path, path.read_text(encoding="utf-8") if text is None else text)])
    assert len(briefings) == 1
    return briefings[0]


@pytest.fixture(scope="module")
def briefing():
    return read_one(TRANSCRIPT)


def test_header_fields(briefing):
    assert briefing.id == "mfa-t9000101"
    assert briefing.source == MFA
    assert briefing.title == ("Foreign Ministry Spokesperson Ren Haolin's Regular Press "
                              "Conference on March 3, 2031")
    assert briefing.date == "2031-03-03"
    assert briefing.location == URL_BASE + "t9000101.shtml"
    assert [(p.name, p.post) for p in briefing.participants] == [
        ("Ren Haolin", "Foreign Ministry Spokesperson")]


def test_turn_sequence(briefing):
    assert [(t.order, t.speaker, t.role, t.outlet) for t in briefing.turns] == [
        (1, "Ren Haolin", OFFICIAL, ""),               # opening announcements
        (2, "Journalist", JOURNALIST, ""),             # <strong>Q: ...</strong>
        (3, "Ren Haolin", OFFICIAL, ""),               # A: + a continuation paragraph
        (4, "Northern Wire", JOURNALIST, "Northern Wire"),  # <b>Q</b><b>: (Northern Wire) ...
        (5, "Ren Haolin", OFFICIAL, ""),
        (6, "Journalist", JOURNALIST, ""),             # Follow-up:
        (7, "Ren Haolin", OFFICIAL, ""),               # answer printed without "A:"
        (8, "Harbour Daily", JOURNALIST, "Harbour Daily"),  # outlet label
        (9, "Ren Haolin", OFFICIAL, ""),               # "Ren Haolin:" label
        (10, "Ren Haolin", OFFICIAL, ""),              # closing announcement after ********
    ]


def test_turn_texts_are_the_words_without_labels_or_chrome(briefing):
    turns = briefing.turns
    assert turns[0].text == (
        "At the invitation of Foreign Minister Tao Wenxi, Foreign Minister Alda Verrin of the "
        "Republic of Norvania will pay an official visit to China from March 5 to 8.\n"
        "Norvania is an important partner of China in the northern seas. We look forward to "
        "deepening our cooperation in fisheries, ports and polar research.")
    assert turns[2].text == ("The two foreign ministers will exchange views on bilateral relations.\n"
                             "We hope the visit will add new impetus to our friendship.")
    assert turns[3].text == "Will the two sides sign a fisheries agreement?"
    assert turns[8].text == ("We have noted the reports. China always stands for fair treatment "
                             "of shipping companies.\nOur position is clear: fees should be transparent.")
    everything = "\n".join(t.text for t in turns)
    for chrome in ("Related News", "Suggest to a friend", "Print", "Copyright", "Home",
                   "Please enter keywords", "Appendix", "March 2, 2031", "****"):
        assert chrome not in everything


def test_answers_carry_their_question(briefing):
    turns = briefing.turns
    assert turns[0].question == ""
    assert turns[2].question == "What are China's expectations for the visit?"
    assert turns[4].question == "Will the two sides sign a fisheries agreement?"
    assert turns[6].question == "Is a signing ceremony planned?"
    assert turns[8].question == turns[7].text
    assert turns[9].question == ""  # an announcement after the separator answers nothing


def test_year_of_a_yearless_title_is_the_one_nearest_the_pages_dates():
    # "December 31" beside related links of December 29, 2030 and January 3, 2031.
    briefing = read_one(YEARLESS)
    assert briefing.date == "2030-12-31"
    assert briefing.turns[1].question == "Could you share the ministry's plans for the new year?"


def test_undated_title_takes_the_newest_related_link():
    text = YEARLESS.read_text(encoding="utf-8").replace(
        "Regular Press Conference on December 31", "Remarks on Harbour Fees")
    assert read_one(YEARLESS, text).date == "2031-01-03"


def test_undated_title_prefers_photo_upload_stamp():
    text = YEARLESS.read_text(encoding="utf-8").replace(
        "Regular Press Conference on December 31", "Remarks on Harbour Fees").replace(
        "<p><b>Q:", '<p><img src="./W020301230123456789012.jpg"/></p><p><b>Q:')
    assert read_one(YEARLESS, text).date == "2030-12-30"


def test_list_page_is_not_a_transcript():
    with pytest.raises(NotATranscript, match="list page"):
        read_one(LIST_PAGE)


def test_page_without_body_or_spokesperson_is_refused():
    text = TRANSCRIPT.read_text(encoding="utf-8")
    with pytest.raises(ReadError, match="no article body"):
        read_one(TRANSCRIPT, text.replace('class="content"', 'class="article"'))
    with pytest.raises(ReadError, match="no spokesperson"):
        read_one(TRANSCRIPT, text.replace("Spokesperson Ren Haolin's", "Office's"))


def test_location_is_the_path_without_urls_tsv(tmp_path):
    copy = tmp_path / TRANSCRIPT.name
    shutil.copy(TRANSCRIPT, copy)
    assert read_one(copy).location == str(copy)


def test_sniff():
    assert mfa.sniff(TRANSCRIPT, TRANSCRIPT.read_text(encoding="utf-8"))
    assert mfa.sniff(LIST_PAGE, LIST_PAGE.read_text(encoding="utf-8"))
    titled = ("<html><head><title>Foreign Ministry Spokesperson Ren Haolin's Regular Press "
              "Conference on March 3, 2031</title></head><body></body></html>")
    assert mfa.sniff(Path("saved.html"), titled)
    assert not mfa.sniff(Path("notes.txt"), "Copied from www.fmprc.gov.cn\nQ: What?\nA: That.")
    assert not mfa.sniff(Path("other.html"), "<html><title>Press Briefing</title></html>")


def test_paragraphs_join_inline_tags_and_break_at_blocks():
    root = parse("<html><body><div id='x'><p>Chi<span>na</span> and <b>Q</b>: x<br>y</p>"
                 "<script>var a = 1;</script><!-- note --><p> two\n words&nbsp;here </p>"
                 "<table><tr><td>cell one</td><td>cell two</td></tr></table></div></body></html>")
    assert paragraphs(root) == ["China and Q: x", "y", "two words here", "cell one", "cell two"]


def test_read_group_dispatches_to_the_mfa_reader():
    doc = read_group([TRANSCRIPT], max_bytes=1_000_000)
    assert [b.id for b in doc.briefings] == ["mfa-t9000101"]
    with pytest.raises(NotATranscript, match="list page"):
        read_group([LIST_PAGE], max_bytes=1_000_000)
