"""The store's reading of a whole briefing: every turn in order, and where its passages sit."""
from __future__ import annotations

from rag.records import OFFICIAL


def test_a_briefing_comes_back_whole_with_each_passage_at_its_place(pipeline_index):
    store = pipeline_index.store
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


def test_a_passage_carries_the_post_its_briefing_gives_the_speaker(tmp_path):
    from rag.ingest.run import ingest
    from rag.store.index import Index

    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "harbour.txt").write_text(
        "Title: Harbour briefing (fictional)\nDate: March 4, 2031\n"
        "Speakers: Ms. Tova Renwick, spokesperson of the Ministry of Coastal Affairs\n\n"
        "Q: Will the north channel reopen?\n\n"
        "Tova Renwick: The north channel reopens on March 20 after dredging.\n\n"
        "Q: And the ferries?\n\n"
        "Osric Vanterpool: The ferries resume the same week.\n", encoding="utf-8")
    index = Index.open(tmp_path / "index", create=True)
    try:
        ingest([tmp_path / "corpus"], index, progress=False)
        ids = [r[0] for r in index.store.conn.execute("SELECT id FROM passages ORDER BY id")]
        posts = {p.speaker: p.post for p in index.store.passages(ids)}
    finally:
        index.close()
    assert posts == {"Tova Renwick": "spokesperson of the Ministry of Coastal Affairs",
                     "Osric Vanterpool": ""}
