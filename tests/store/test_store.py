"""The store's reading of a whole briefing: every turn in order, and where its passages sit."""
from __future__ import annotations

from rag.records import OFFICIAL


def test_a_briefing_comes_back_whole_with_each_passage_at_its_place(backend_index):
    store = backend_index.store
    ids = [row["id"] for row in store.conn.execute("SELECT id FROM briefings ORDER BY date")]
    briefing = store.briefing(ids[0])
    assert briefing.date == "2031-03-04" and briefing.title.endswith("(fictional)")
    assert [t.order for t in briefing.turns] == sorted(t.order for t in briefing.turns)
    assert store.briefing_text(ids[0]) == "\n".join(t.text for t in briefing.turns)
    spans = store.passage_spans(ids[0])
    turns = {t.order: t for t in briefing.turns}
    passages = {p.id: p for p in store.passages([i for s in spans.values() for i, _, _ in s])}
    assert passages and set(spans) <= {t.order for t in briefing.turns if t.role == OFFICIAL}
    for order, cut in spans.items():
        for passage_id, start, end in cut:
            assert turns[order].text[start:end] == passages[passage_id].text
    assert store.briefing("no-such-id") is None and store.passage_spans("no-such-id") == {}


def test_a_passage_carries_the_post_its_briefing_gives_the_speaker(tmp_path, new_location):
    from rag.ingest.run import ingest
    from rag.store import open_index

    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "harbour.txt").write_text(
        "Title: Harbour briefing (fictional)\nDate: March 4, 2031\n"
        "Speakers: Ms. Tova Renwick, spokesperson of the Ministry of Coastal Affairs\n\n"
        "Q: Will the north channel reopen?\n\n"
        "Tova Renwick: The north channel reopens on March 20 after dredging.\n\n"
        "Q: And the ferries?\n\n"
        "Osric Vanterpool: The ferries resume the same week.\n", encoding="utf-8")
    index = open_index(new_location(), create=True)
    try:
        ingest([tmp_path / "corpus"], index, progress=False)
        ids = [r[0] for r in index.store.conn.execute("SELECT id FROM passages ORDER BY id")]
        posts = {p.speaker: p.post for p in index.store.passages(ids)}
    finally:
        index.close()
    assert posts == {"Tova Renwick": "spokesperson of the Ministry of Coastal Affairs",
                     "Osric Vanterpool": ""}


def test_an_official_named_by_surname_takes_the_one_full_name_of_the_source(tmp_path,
                                                                            new_location):
    from rag.api import Briefings
    from rag.ingest.run import ingest
    from rag.store import open_index

    def briefing(name: str, day: str, said: list[tuple[str, str]]) -> None:
        turns = "".join(f"Q: Question {i} on the ferries?\n\n{who}: {text}\n\n"
                        for i, (who, text) in enumerate(said))
        (tmp_path / "corpus" / name).write_text(
            f"Title: Ferry office briefing (fictional)\nDate: {day}\n\n{turns}", encoding="utf-8")

    (tmp_path / "corpus").mkdir()
    briefing("a.txt", "2031-03-04", [("Lena Marsh", "The ferries run hourly from May."),
                                     ("Ana Holt", "Tickets go on sale in April."),
                                     ("Ben Holt", "The harbour office sells them.")])
    briefing("b.txt", "2032-01-10", [("Ms. Marsh", "Winter sailings stop in January."),
                                     ("Mr. Holt", "The office closes at noon."),
                                     ("Aide", "The minister has left for the harbour.")])
    briefing("c.txt", "2045-06-01", [("Castell", "The old pier is being rebuilt."),
                                     ("Castell", "It reopens in the autumn.")])
    briefing("d.txt", "2031-02-01", [("Erik Castell", "Repairs start next week.")])
    index = open_index(new_location(), create=True)
    try:
        report = ingest([tmp_path / "corpus"], index, progress=False)
        speakers = dict(index.store.speakers())
        menu = Briefings(index).speaker_menu()
        renamed = index.store.conn.execute(
            "SELECT COUNT(*) FROM turns WHERE speaker = 'Lena Marsh'").fetchone()[0]
    finally:
        index.close()
    assert report.named == [("Marsh", "Lena Marsh")]
    assert renamed == 2
    # Two full names share "Holt", "Aide" is a role, and "Castell" 14 years later may be
    # another person: all three stay as they are.
    assert set(speakers) == {"Lena Marsh", "Ana Holt", "Ben Holt", "Holt", "Aide", "Castell",
                             "Erik Castell"}
    # The menus: people by name with their briefings, the role apart at the end.
    assert menu == [("Ana Holt", 1, True), ("Ben Holt", 1, True), ("Castell", 1, True),
                    ("Erik Castell", 1, True), ("Holt", 1, True), ("Lena Marsh", 2, True),
                    ("Aide", 1, False)]
