"""Keyword search (FTS5): the match expression and the words a long query keeps."""
from rag.store.keywords import match_expression


def test_match_expression_keeps_content_words():
    expr = match_expression("What did the ministry say about the 3.2 billion seawall's cost?")
    assert expr == '"3.2" OR "billion" OR "seawall" OR "cost"'
    assert match_expression("what did they say") == ""


def test_keyword_search_keeps_a_long_querys_rarest_words(pipeline_index):
    from rag.store.keywords import KeywordSearch
    keywords = KeywordSearch(pipeline_index.store.conn, common_share=1.0, keep=1,
                             from_passages=0, most=2)
    query = "ministry seawall Renwick fishermen compensation crowns coast"
    chosen = keywords.selected_terms(query)
    counts = {w: keywords.frequency(w) for w in ("ministry", "seawall", "renwick", "fishermen",
                                                 "compensation", "crowns", "coast")}
    assert len(chosen) == 2
    assert sorted(counts[w] for w in chosen) == sorted(counts.values())[:2]
    assert chosen == [w for w in counts if w in chosen]   # in the query's order
