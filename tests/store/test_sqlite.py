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
