"""The White House reader on a self-written briefing: front matter, labels, names, noise."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rag.readers import NotATranscript, Page, ReadError, read_group
from rag.readers import whitehouse
from rag.records import CHAIR, JOURNALIST, OFFICIAL, WHITEHOUSE

FIXTURE = next((Path(__file__).resolve().parents[1] / "fixtures" / "whitehouse").rglob("*.md"))
TEXT = FIXTURE.read_text(encoding="utf-8")


def read_one(path: Path, text: str = TEXT):
    briefings = whitehouse.read([Page(path, text)])
    assert len(briefings) == 1
    return briefings[0]


@pytest.fixture(scope="module")
def briefing():
    return read_one(FIXTURE)


def test_front_matter(briefing):
    # YAML escapes (\_ is a no-break space) and the folded title line come out as plain text.
    assert briefing.title == ("Press Briefing by Press Secretary Dana Whitfield and NSC "
                              "Coordinator for Strategic Communications Victor Brandt")
    assert briefing.date == "2022-05-06"
    assert briefing.location.startswith("https://www.whitehouse.gov/briefing-room/press-briefings/")
    assert briefing.id == f"{WHITEHOUSE}-{FIXTURE.stem}"
    assert briefing.source == WHITEHOUSE


def test_speakers_resolved_to_full_names(briefing):
    assert [(t.speaker, t.role) for t in briefing.turns] == [
        ("Dana Whitfield", OFFICIAL),   # MS. WHITFIELD, full name from the title
        ("Tomas Okafor", OFFICIAL),     # MR. OKAFOR, introduced in the text
        ("Journalist", JOURNALIST),     # Q
        ("Tomas Okafor", OFFICIAL),
        ("Journalist", JOURNALIST),     # Q:
        ("Tomas Okafor", OFFICIAL),     # MR. OKAFRO, a typo
        ("Victor Brandt", OFFICIAL),    # ADMIRAL BRANDT
        ("Joe Biden", OFFICIAL),        # THE PRESIDENT on 2022-05-06
        ("Moderator", CHAIR),
        ("Journalist", JOURNALIST),     # a "Q" line inside the moderator's paragraph
        ("Victor Brandt", OFFICIAL),
    ]
    assert [t.order for t in briefing.turns] == list(range(1, 12))
    assert briefing.chair == "Moderator"


def test_participants_have_posts_from_the_title(briefing):
    assert [(p.name, p.post) for p in briefing.participants] == [
        ("Dana Whitfield", "Press Secretary"),
        ("Tomas Okafor", ""),
        ("Victor Brandt", "NSC Coordinator for Strategic Communications"),
        ("Joe Biden", "President"),
    ]


def test_turn_text_without_stage_directions_or_timestamps(briefing):
    turns = briefing.turns
    assert turns[0].text == (
        "Good afternoon, everyone. Happy Friday. We have a packed briefing today.\n"
        "Joining me is Deputy National Security Advisor for Maritime Affairs Tomas Okafor, who "
        "will give an update on the harbor agreement. Tomas.")
    # Markdown escapes undone; the standalone "(Laughter.)" after it is not part of the turn.
    assert turns[1].text == ("Thank you, Dana. The agreement covers [the northern ports] and "
                             "takes effect in June.")
    # An in-sentence gap marker stays; the standalone "[inaudible]" paragraph does not.
    assert turns[3].text == ("We expect the first ports to reopen next month, and we'll "
                             "(inaudible) the remaining ones by the fall.")
    assert turns[2].text == "Thanks, Dana. Tomas, when will the ports reopen?"
    assert turns[-1].text == "It is."  # "END 1:45 P.M. EDT" dropped
    everything = "\n".join(t.text for t in turns)
    for noise in ("Brady", "P.M.", "END", "Laughter", "MR.", "\\"):
        assert noise not in everything


def test_answers_carry_the_latest_question(briefing):
    turns = briefing.turns
    assert turns[0].question == turns[1].question == ""
    assert turns[3].question == turns[2].text
    assert turns[5].question == turns[6].question == "And what about the fees?"
    assert turns[8].question == ""  # the chair answers nothing
    assert turns[10].question == "One more for the Admiral: is the Coast Guard ready?"


def test_president_is_the_one_in_office_on_the_date():
    earlier = TEXT.replace("date: '2022-05-06'", "date: '2019-03-01'")
    speakers = {t.speaker for t in read_one(FIXTURE, earlier).turns}
    assert "Donald Trump" in speakers and "Joe Biden" not in speakers


def test_bare_surname_when_the_briefing_never_names_the_person():
    text = TEXT.replace("Tomas\nOkafor", "our colleague")
    assert {t.speaker for t in read_one(FIXTURE, text).turns} >= {"Okafor", "Dana Whitfield"}


def test_statement_without_labels_is_the_white_houses_own_words():
    text = TEXT.split("James S. Brady")[0] + "A fact sheet.\n\nIt has no speakers at all.\n"
    (turn,) = read_one(FIXTURE, text).turns
    assert (turn.speaker, turn.role) == ("The White House", "official")
    assert turn.text.endswith("A fact sheet.\nIt has no speakers at all.")


def test_file_without_labels_or_text_is_not_a_transcript():
    with pytest.raises(NotATranscript, match="no speaker labels"):
        read_one(FIXTURE, TEXT.split("James S. Brady")[0].split("---\n")[0] + "---\n" +
                 TEXT.split("---\n")[1] + "---\n(Laughter.)\n")


def test_broken_front_matter_is_refused():
    with pytest.raises(ReadError, match="not valid YAML"):
        read_one(FIXTURE, TEXT.replace("tags: press-briefings", "tags: [press-briefings"))


def test_sniff(tmp_path):
    elsewhere = tmp_path / "briefing.md"
    assert whitehouse.sniff(FIXTURE, TEXT)
    assert whitehouse.sniff(elsewhere, TEXT)  # by its source_url
    other = TEXT.replace("https://www.whitehouse.gov/", "https://example.org/")
    assert not whitehouse.sniff(elsewhere, other)
    assert whitehouse.sniff(FIXTURE, other)  # by the press-briefings/YYYY-MM/ layout
    assert not whitehouse.sniff(tmp_path / "briefing.txt", TEXT)


def test_read_group_dispatches_to_the_whitehouse_reader(tmp_path):
    copy = tmp_path / FIXTURE.name
    shutil.copy(FIXTURE, copy)
    doc = read_group([copy], max_bytes=1_000_000)
    assert [(b.source, b.date, len(b.turns)) for b in doc.briefings] == [(WHITEHOUSE, "2022-05-06", 11)]
