"""Generic readers: plain-text "Name: text" transcripts and JSONL/CSV tables (fictional
fixtures)."""
from pathlib import Path

import pytest

import rag.readers as readers
from rag.readers import NotATranscript, Page, ReadError, plain, table
from rag.records import CHAIR, GENERIC, JOURNALIST, OFFICIAL

FIXTURES = Path(__file__).parents[1] / "fixtures" / "generic"


def read(module, path: Path):
    text = path.read_text(encoding="utf-8")
    assert module.sniff(path, text)
    return module.read([Page(path, text)])


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- plain text -------------------------------------------------------------------------------

def test_plain_transcript_turns_roles_and_names():
    path = FIXTURES / "harbour_ministry_briefing.txt"
    [briefing] = read(plain, path)
    assert briefing.source == GENERIC
    assert briefing.title == "Regular Briefing of the Ministry of Harbour Affairs"
    assert briefing.date == "2024-02-14"
    assert briefing.location == str(path)
    assert [(p.name, p.post) for p in briefing.participants] == [
        ("Vela Oduya", "minister of harbour affairs"), ("Tomas Renk", "director of port safety")]
    assert briefing.chair == "Moderator"
    turns = briefing.turns
    assert [(t.order, t.speaker, t.role, t.outlet) for t in turns] == [
        (1, "Moderator", CHAIR, ""),
        (2, "Vela Oduya", OFFICIAL, ""),
        (3, "Journalist", JOURNALIST, ""),  # "Q:"
        (4, "Vela Oduya", OFFICIAL, ""),  # "Minister Oduya:"
        (5, "Tomas Renk", OFFICIAL, ""),  # "Mr. Renk:"
        (6, "Harbour Evening Post", JOURNALIST, "Harbour Evening Post"),
        (7, "Vela Oduya", OFFICIAL, ""),  # "Ms. Oduya:"
        (8, "Moderator", CHAIR, ""),
    ]
    assert turns[1].text == ("Thank you. This winter the harbour handled 2.1 million containers, "
                             "a record for the season.\n"
                             "We will open the northern quay to night shipping from 1 April.")
    # A label line's own words and the lines under it are one paragraph.
    assert turns[3].text == ("Night shipping needs stronger lighting and two extra pilots per "
                             "shift. Director Renk will explain the details.")
    assert turns[1].question == ""
    assert turns[3].question == turns[4].question == turns[2].text
    assert turns[6].question == turns[5].text
    # Times and "Note:" are not speakers.
    assert "10:30 sharp" in turns[0].text
    assert "22:00" in turns[4].text and "06:00" in turns[4].text
    assert "Note" not in {t.speaker for t in turns}


def test_markdown_transcript_heading_title_and_date_in_text():
    [briefing] = read(plain, FIXTURES / "estuary_roundtable.md")
    assert briefing.title == "Estuary Roundtable with the Delta Planning Office"
    assert briefing.date == "2023-05-12"
    assert [(t.speaker, t.role, t.outlet) for t in briefing.turns] == [
        ("Inês Calloway", OFFICIAL, ""), ("Arvid Mensah", OFFICIAL, ""),
        ("Coastline Weekly", JOURNALIST, "Coastline Weekly"), ("Arvid Mensah", OFFICIAL, "")]
    assert briefing.turns[1].text == ("Thank you. The new dike plan protects 40,000 homes along "
                                      "the lower estuary, and construction starts next spring.")
    assert briefing.turns[3].question == "How long will construction take?"


def test_reporters_named_without_marks_are_journalists():
    # Two reporters announce only their names; their turns are questions, the official's are not.
    [briefing] = read(plain, FIXTURES / "lakeside_transit_briefing.txt")
    roles = {(t.speaker, t.role) for t in briefing.turns}
    assert roles == {("Ingrid Vasquez", OFFICIAL), ("Mira Solberg", JOURNALIST),
                     ("Daniel Okafor", JOURNALIST)}
    assert briefing.speakers() == ["Ingrid Vasquez"]
    after_interjection = briefing.turns[6]  # follows "Nooo —"
    assert after_interjection.speaker == "Ingrid Vasquez"
    assert after_interjection.question == "Is the fare freeze guaranteed beyond next summer?"


def test_marks_and_header_lists_decide_roles_before_questions(tmp_path):
    path = write(tmp_path, "marked.txt", (
        "Title: Ferry board briefing\nDate: 2031-10-02\n"
        "Officials: Ms. Ada Lind, chair of the ferry board\n"
        "Journalists: Tove Aalto, Fjord Radio\n\n"
        "Ada Lind: Can everyone hear me? Good. The winter timetable starts on 1 November.\n\n"
        "Tove Aalto: The timetable cuts two crossings on Sundays.\n\n"
        "Ada Lind: Only in January and February.\n\n"
        "Rune Holm (reporter): Passengers on the islands say the cuts came without notice, that "
        "the letters arrived after the timetable was printed, and that the board never asked "
        "the island councils first.\n\n"
        "Ada Lind: We wrote to every household in September.\n\n"
        "Sara Quist (Fjord Dispatch reporter): Will the fares change?\n\n"
        "Ada Lind: No.\n\n"
        "Per Ek (official): May I add that the night crossing stays?\n"))
    [briefing] = read(plain, path)
    assert [(t.speaker, t.role, t.outlet) for t in briefing.turns] == [
        ("Ada Lind", OFFICIAL, ""), ("Tove Aalto", JOURNALIST, "Fjord Radio"),
        ("Ada Lind", OFFICIAL, ""), ("Rune Holm", JOURNALIST, ""), ("Ada Lind", OFFICIAL, ""),
        ("Sara Quist", JOURNALIST, "Fjord Dispatch"), ("Ada Lind", OFFICIAL, ""),
        ("Per Ek", OFFICIAL, "")]
    # A long statement put as a question is what the next answer follows; a short remark is
    # not, so the answer after it follows no question (none was asked before it).
    assert briefing.turns[2].question == ""
    assert briefing.turns[4].question == briefing.turns[3].text


def test_plain_title_date_and_url_lines(tmp_path):
    path = write(tmp_path, "ferry.txt", "\n".join([
        "Title: Ferry Safety Update",
        "Date: 2022-08-30",
        "URL: https://example.org/ferry-safety",
        "Saskia Brandt: Two new lifeboats are in service.",
        "Reporter: Since when?",
        "Saskia Brandt: Since Monday.",
    ]))
    [briefing] = read(plain, path)
    assert (briefing.title, briefing.date, briefing.location) == (
        "Ferry Safety Update", "2022-08-30", "https://example.org/ferry-safety")
    assert [t.speaker for t in briefing.turns] == ["Saskia Brandt", "Journalist", "Saskia Brandt"]
    assert briefing.turns[2].question == "Since when?"
    assert briefing.id == read(plain, path)[0].id
    assert briefing.id.startswith(f"{GENERIC}-")


def test_a_first_line_with_a_colon_above_the_header_is_the_title(tmp_path):
    path = write(tmp_path, "lakeside.txt", (
        "Lakeside Transit Authority: Weekly Press Briefing\nDate: 9 September 2031\n\n"
        "Ingrid Vasquez: The Harbour Line runs every six minutes from Monday.\n\n"
        "Q: How much will that cost?\n\nIngrid Vasquez: About 14 million crowns a year.\n"))
    [briefing] = read(plain, path)
    assert briefing.title == "Lakeside Transit Authority: Weekly Press Briefing"
    assert [t.speaker for t in briefing.turns] == ["Ingrid Vasquez", "Journalist",
                                                   "Ingrid Vasquez"]


def test_plain_unreadable_date_line_is_an_error(tmp_path):
    path = write(tmp_path, "bad.txt", "Date: the day after\nAnne Lo: Hello.\nQ: Hi?\n")
    with pytest.raises(ReadError, match="cannot read the date 'the day after'"):
        read(plain, path)


@pytest.mark.parametrize("text", [
    (FIXTURES / "office_notes.txt").read_text(encoding="utf-8"),
    "Meeting at 10:30.\nLunch at 12:15.\nhttp://example.org/agenda\n",
    "Note: bring your badge.\nNote: the lift is closed.\n",
])
def test_plain_sniff_refuses_text_without_speaker_turns(tmp_path, text):
    path = write(tmp_path, "notes.txt", text)
    assert not plain.sniff(path, text)


def test_plain_sniff_needs_a_text_suffix(tmp_path):
    text = "Anne Lo: Hello.\nBen Ito: Hi.\n"
    assert plain.sniff(tmp_path / "chat.md", text)
    assert not plain.sniff(tmp_path / "chat.html", text)


def test_text_without_turns_is_not_a_transcript():
    with pytest.raises(NotATranscript):
        readers.read_group([FIXTURES / "office_notes.txt"], max_bytes=1_000_000)


def test_transcript_without_date_is_an_error():
    with pytest.raises(ReadError, match="no date found") as err:
        readers.read_group([FIXTURES / "undated_briefing.txt"], max_bytes=1_000_000)
    assert not isinstance(err.value, NotATranscript)


def test_read_group_dispatches_generic_formats():
    doc = readers.read_group([FIXTURES / "estuary_roundtable.md"], max_bytes=1_000_000)
    assert [b.title for b in doc.briefings] == ["Estuary Roundtable with the Delta Planning Office"]
    doc = readers.read_group([FIXTURES / "turns.csv"], max_bytes=1_000_000)
    assert [(b.source, b.title) for b in doc.briefings] == [(GENERIC, "Dock Workers Briefing")]


# --- tables -----------------------------------------------------------------------------------

def test_jsonl_rows_grouped_into_briefings():
    first, second = read(table, FIXTURES / "turns.jsonl")
    assert (first.title, first.date, first.location) == (
        "Rail Safety Briefing", "2024-09-03", "https://example.org/rail-07")
    assert first.chair == "Moderator"
    assert [(t.order, t.speaker, t.role, t.outlet) for t in first.turns] == [
        (1, "Moderator", CHAIR, ""),
        (2, "Metro Radio", JOURNALIST, "Metro Radio"),
        (3, "Petra Alvey", OFFICIAL, ""),
        (4, "Petra Alvey", OFFICIAL, ""),  # "Ms. Alvey", no role given
    ]
    assert first.turns[2].text == ("Twelve crossings will close by December.\n"
                                   "Each gets a footbridge instead.")
    assert first.turns[2].question == first.turns[3].question == first.turns[1].text
    assert (second.title, second.date) == ("Rail Fares Briefing", "2024-10-01")
    assert [(t.speaker, t.role) for t in second.turns] == [
        ("Journalist", JOURNALIST), ("Joran Pike", OFFICIAL)]  # roles "q" and "Spokesperson"
    assert second.turns[1].question == "Will fares rise next year?"
    assert second.location == str(FIXTURES / "turns.jsonl")
    assert first.id != second.id
    assert [b.id for b in read(table, FIXTURES / "turns.jsonl")] == [first.id, second.id]


def test_csv_rows_with_multiline_cells_and_default_role():
    [briefing] = read(table, FIXTURES / "turns.csv")
    assert (briefing.title, briefing.date, briefing.location, briefing.chair) == (
        "Dock Workers Briefing", "2023-11-20", "https://example.org/dock-1", "Host")
    assert [(t.speaker, t.role) for t in briefing.turns] == [
        ("Host", CHAIR), ("Tidewater Gazette", JOURNALIST), ("Oren Basque", OFFICIAL),
        ("Oren Basque", OFFICIAL)]
    assert briefing.turns[2].text == "The cranes arrive in January.\nThey will be running by March."
    assert briefing.turns[3].question == "When will the new cranes arrive?"


@pytest.mark.parametrize("name, text, message", [
    ("rows.jsonl", '{"speaker": "Anne Lo", "text": "Hi.", "date": "2024-01-02"}\n'
                   '{"speaker": "Anne Lo", "date": "2024-01-02"}\n',
     "row 2: missing 'text'"),
    ("rows.jsonl", '{"speaker": "Anne Lo", "text": "Hi.", "date": "2024-01-02"}\n\n'
                   '{"text": "Hello.", "speaker": ""}\n',
     "row 3: missing 'speaker'"),
    ("rows.csv", "speaker,text,date\nAnne Lo,Hi.,2024-01-02\n,Hello.,2024-01-02\n",
     "row 3: missing 'speaker'"),
    ("rows.csv", "speaker,text,date\nAnne Lo,Hi.,2024-01-02\nBen Ito,Hello.,next Tuesday\n",
     "row 3: bad date 'next Tuesday'"),
    ("rows.jsonl", '{"speaker": "Anne Lo", "text": "Hi.", "date": "31/31/2024"}\n',
     "row 1: bad date '31/31/2024'"),
    ("rows.jsonl", '{"speaker": "Anne Lo", "text": "Hi."}\n{"speaker": \n',
     "row 2: not valid JSON"),
    ("rows.csv", "speaker,words\nAnne Lo,Hi.\n", "no 'text' column"),
])
def test_table_errors_name_the_row_and_field(tmp_path, name, text, message):
    path = write(tmp_path, name, text)
    with pytest.raises(ReadError, match=message.replace("(", r"\(")):
        read(table, path)


def test_table_sniff_by_suffix(tmp_path):
    assert table.sniff(tmp_path / "a.jsonl", "")
    assert table.sniff(tmp_path / "a.CSV", "")
    assert not table.sniff(tmp_path / "a.txt", '{"speaker": "Anne Lo", "text": "Hi."}')
