"""SCIO reader: the real seed page (when ../shared is present) and a fictional 3-page HTML
briefing."""
from pathlib import Path

import pytest

from rag.readers import Page, group_files, read_group, scio
from rag.records import CHAIR, JOURNALIST, OFFICIAL, SCIO

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SEED = SHARED / "seeds" / "000_ed042cb3f963cd5b.txt"
FIXTURES = Path(__file__).parents[1] / "fixtures" / "scio"
CHROME = ("ㄑ", "Press Room", "Press Conference Transcripts", "<", "Share", "Weibo", "Print",
          "Copyright")


def read(paths: list[Path]):
    return scio.read([Page(path, path.read_text(encoding="utf-8")) for path in paths])


def read_text(tmp_path: Path, text: str):
    path = tmp_path / "content_1.txt"
    path.write_text(text, encoding="utf-8")
    assert scio.sniff(path, text)
    return read([path])


def test_seed_page_question_and_answer():
    if not SEED.exists():
        pytest.skip("../shared (real transcripts) is absent")
    text = SEED.read_text(encoding="utf-8")
    assert scio.sniff(SEED, text)
    [briefing] = read([SEED])
    assert briefing.source == SCIO
    assert briefing.title.startswith("SCIO briefing on promoting high-quality development")
    assert briefing.date == "2024-07-05"  # held on July 5, published July 24, 2024
    question, answer = briefing.turns
    assert (question.speaker, question.role, question.outlet) == (
        "Hong Kong Bauhinia Magazine", JOURNALIST, "Hong Kong Bauhinia Magazine")
    assert question.text.startswith("Dynamic SMEs are an important guarantee")
    assert (answer.speaker, answer.role) == ("Jin Zhuanglong", OFFICIAL)
    assert answer.question == question.text
    assert answer.text.startswith("Thank you for your question and your interest")
    assert answer.text.endswith("increase efficiency in tangible ways. Thank you.")
    assert answer.text.count("\n") == 4  # five paragraphs
    for turn in briefing.turns:
        assert not any(chrome in turn.text for chrome in CHROME)
        assert "July 24, 2024" not in turn.text
    assert read([SEED])[0].id == briefing.id


def test_three_html_pages_make_one_briefing():
    groups = group_files(sorted(FIXTURES.glob("content_*.htm")))
    assert len(groups) == 1
    pages = [Page(path, path.read_text(encoding="utf-8")) for path in groups[0]]
    assert all(scio.sniff(page.path, page.text) for page in pages)
    [briefing] = scio.read(pages)

    assert briefing.title == ("SCIO briefing on protecting tidal wetlands: "
                              "Ministry of Coastal Resources")
    assert briefing.date == "2025-03-04"  # the conference, not the publication (March 6)
    assert briefing.location == ("http://english.scio.gov.cn/pressroom/2025-03/06/"
                                 "content_117000001.htm")
    assert briefing.chair == "Qiao Yumei"
    assert [(p.name, p.role) for p in briefing.participants] == [
        ("Lan Qiming", OFFICIAL), ("Zhao Mingyuan", OFFICIAL), ("Zhao Jun", OFFICIAL),
        ("Qiao Yumei", CHAIR)]
    assert briefing.participants[0].post == "minister of coastal resources"

    turns = briefing.turns
    assert [(t.order, t.speaker, t.role, t.page) for t in turns] == [
        (1, "Qiao Yumei", CHAIR, 1),
        (2, "Lan Qiming", OFFICIAL, 1),
        (3, "Qiao Yumei", CHAIR, 1),
        (4, "Xinhua News Agency", JOURNALIST, 1),
        (5, "Lan Qiming", OFFICIAL, 1),  # "Minister Lan:", continued on page 2
        (6, "China Daily", JOURNALIST, 2),
        (7, "Lan Qiming", OFFICIAL, 2),  # "Mr. Lan:" hands off
        (8, "Zhao Jun", OFFICIAL, 2),  # "Mr. Zhao:" is ambiguous but for the hand-off
        (9, "Phoenix TV", JOURNALIST, 3),
        (10, "Zhao Mingyuan", OFFICIAL, 3),
        (11, "Qiao Yumei", CHAIR, 3),
    ]
    assert [t.outlet for t in turns if t.role == JOURNALIST] == [
        "Xinhua News Agency", "China Daily", "Phoenix TV"]

    # The answer that crosses the page break stays one turn, paragraphs in order.
    assert turns[4].text == (
        "Thank you for your question. First, we will draw a permanent red line around every "
        "restored wetland, and no project inside it will be approved.\n"
        "Second, we will publish the boundary of each protected wetland online, so that anyone "
        "can report illegal reclamation. Thank you.")
    # Both turns after the China Daily question answer it, through the hand-off.
    assert turns[6].question == turns[7].question == turns[5].text
    assert turns[9].question == turns[8].text
    assert turns[1].question == ""  # opening statement
    assert all(t.question == "" for t in turns if t.role != OFFICIAL)

    for turn in turns:
        assert "State Council Information Office held" not in turn.text  # repeated intro
        assert "protecting tidal wetlands:" not in turn.text  # repeated title
        assert not any(chrome in turn.text for chrome in CHROME)
        assert "Speakers" not in turn.text and "March 4, 2025" not in turn.text
    assert scio.read(pages)[0].id == briefing.id


def test_december_conference_published_in_january_with_inline_header(tmp_path):
    [briefing] = read_text(tmp_path, "\n".join([
        "ㄑ Press Room ㄑ Press Conference Transcripts",
        "SCIO briefing on winter grain reserves",
        "The State Council Information Office held a press conference on Dec. 28 in Beijing "
        "to brief the media on winter grain reserves.  January 3, 2025",
        "Speakers: Mr. Pei Wenhao, head of the National Grain Reserve Office; "
        "Ms. Yan Lu, deputy head of the National Grain Reserve Office",
        "Chairperson: Ms. Qiao Yumei, spokesperson of the SCIO",
        "Qiao Yumei: Good morning. Mr. Pei will brief you first.",
        "Mr. Pei:",
        "Reserves stand at a ten-year high.",
        "Lantern Review:",
        "Are the reserves stored evenly across provinces?",
        "Ms. Yan:",
        "Most are in the northeast.",
        "<  1  2  >",
    ]))
    assert briefing.date == "2024-12-28"
    assert [(p.name, p.post) for p in briefing.participants] == [
        ("Pei Wenhao", "head of the National Grain Reserve Office"),
        ("Yan Lu", "deputy head of the National Grain Reserve Office"),
        ("Qiao Yumei", "spokesperson of the SCIO")]
    # With a header, a label that is no participant (and has no title) is a news outlet.
    assert [(t.speaker, t.role, t.outlet) for t in briefing.turns] == [
        ("Qiao Yumei", CHAIR, ""), ("Pei Wenhao", OFFICIAL, ""),
        ("Lantern Review", JOURNALIST, "Lantern Review"), ("Yan Lu", OFFICIAL, "")]
    assert briefing.turns[-1].text == "Most are in the northeast."


def test_page_without_header_finds_chair_and_full_names_in_the_body(tmp_path):
    [briefing] = read_text(tmp_path, "\n\n".join([
        "SCIO briefing on inland waterways",
        "The State Council Information Office held a press conference on May 9 in Beijing "
        "to brief the media on inland waterways.  May 12, 2025",
        "Ren Mao:",
        "The floor is now open for questions. Please identify the media outlet you represent.",
        "Yangcheng Evening News:",
        "How deep will the new canal be?",
        "Mr. Pei:",
        "Eight meters.",
        "Pei Wenhao:",
        "Work starts in June.",
    ]))
    assert briefing.date == "2025-05-09"
    assert briefing.chair == "Ren Mao"
    assert [(t.speaker, t.role) for t in briefing.turns] == [
        ("Ren Mao", CHAIR), ("Yangcheng Evening News", JOURNALIST),
        ("Pei Wenhao", OFFICIAL), ("Pei Wenhao", OFFICIAL)]
    assert briefing.turns[3].question == "How deep will the new canal be?"


def test_sniff_accepts_scio_pages_only(tmp_path):
    other = tmp_path / "minutes.txt"
    other.write_text("Board minutes\n\nChair: We start.\nAlex Moor: Agreed.\n", encoding="utf-8")
    assert not scio.sniff(other, other.read_text(encoding="utf-8"))
    table = tmp_path / "rows.jsonl"
    row = '{"text": "The State Council Information Office held a press conference"}'
    assert not scio.sniff(table, row)


def test_read_group_dispatches_the_pages_to_this_reader():
    [group] = group_files(sorted(FIXTURES.glob("content_*.htm")))
    doc = read_group(group, max_bytes=1_000_000)
    assert [(b.source, len(b.turns)) for b in doc.briefings] == [(SCIO, 11)]
