"""Keyword search on both backends: the match expression, the words a long query keeps, one
bm25 ranking."""

import pytest

from rag.store.keywords import match_expression


def test_match_expression_keeps_content_words():
    expr = match_expression("What did the ministry say about the 3.2 billion seawall's cost?")
    assert expr == '"3.2" OR "billion" OR "seawall" OR "cost"'
    assert match_expression("what did they say") == ""


def test_keyword_search_keeps_a_long_querys_rarest_words(backend_index):
    keywords = backend_index.keywords()
    # select even on this small index
    keywords.common_share, keywords.keep, keywords.from_passages, keywords.most = 1.0, 1, 0, 2
    query = "ministry seawall Renwick fishermen compensation crowns coast"
    chosen = keywords.selected_terms(query)
    counts = {w: keywords.frequency(w) for w in ("ministry", "seawall", "renwick", "fishermen",
                                                 "compensation", "crowns", "coast")}
    assert len(chosen) == 2
    assert sorted(counts[w] for w in chosen) == sorted(counts.values())[:2]
    assert chosen == [w for w in counts if w in chosen]   # in the query's order


def test_keyword_search_keeps_words_only_while_their_postings_fit_the_budget(backend_index):
    keywords = backend_index.keywords()
    keywords.common_share, keywords.keep, keywords.from_passages, keywords.most = 1.0, 1, 0, 8
    query = "ministry seawall Renwick fishermen compensation crowns coast"
    everything = keywords.selected_terms(query)
    counts = sorted(keywords.frequency(w) for w in everything)
    keywords.refresh()
    keywords.postings = counts[0] + counts[1]   # room for the two rarest words only
    chosen = keywords.selected_terms(query)
    assert len(chosen) == 2 and sorted(keywords.frequency(w) for w in chosen) == counts[:2]
    keywords.postings = 0                       # the rarest word is searched whatever it costs
    assert len(keywords.selected_terms(query)) == 1
    keywords.keep = 3                           # ... and the next ones only within the budget
    assert len(keywords.selected_terms(query)) == 1


def test_a_question_of_common_words_only_past_the_budget_is_left_to_dense_search(backend_index):
    keywords = backend_index.keywords()
    keywords.keep, keywords.from_passages, keywords.most = 3, 0, 8
    query = "ministry seawall fishermen compensation crowns coast"   # each in some passage
    counts = sorted(keywords.frequency(w) for w in keywords.selected_terms(query))
    keywords.common_share = 0.0                 # every word is common here
    keywords.postings = counts[0] - 1           # and not even the least common one fits
    assert keywords.selected_terms(query) == []
    assert keywords.search(query, 5) == []
    keywords.postings = counts[0]               # common words are searched while they fit
    assert [keywords.frequency(w) for w in keywords.selected_terms(query)] == counts[:1]


def test_word_counts_are_read_as_fts5_counts_them_and_recounted_after_an_ingest(tmp_path):
    from rag.ingest.run import ingest
    from rag.store import open_index

    from conftest import copy_pipeline_corpus

    corpus = copy_pipeline_corpus(tmp_path)
    index = open_index(tmp_path / "index", create=True)
    ingest([corpus], index, progress=False)
    keywords = index.keywords()
    conn = index.store.conn
    for word in ("seawall", "Seawalls", "crowns", "u.s.", "absent-word", "the"):
        counted = conn.execute("SELECT COUNT(*) FROM passages_fts WHERE passages_fts MATCH ?",
                               (f'text:"{word}"',)).fetchone()[0]
        assert keywords.frequency(word) == counted, word
    assert index.store.get_meta("words_generation") == str(index.generation)
    (corpus / "more.txt").write_text("Title: Dredging (fictional)\nDate: July 1, 2031\n\n"
                                     "Q: And the seawall?\n\nTova Renwick: The seawall is "
                                     "finished; the dredging of the seawall basin starts now.\n")
    before = keywords.frequency("seawall")
    ingest([corpus], index, progress=False)
    keywords.refresh()
    assert keywords.frequency("seawall") == before + 1
    index.close()


def test_both_backends_score_keyword_matches_by_the_same_bm25(pipeline_index, request,
                                                              tmp_path):
    # PostgreSQL computes FTS5's bm25() itself (rag.store.postgres_search): the same passages
    # in the same order with the same scores, for words, phrases ("3.2", "220,000"), a word
    # only the question holds ("compensate": weight 0.35) and under a filter.
    from rag.filters import Filters

    from conftest import _pipeline_index

    postgres = _pipeline_index("postgresql", request, tmp_path)
    try:
        for query, filters in [("seawall cost crowns", Filters()),
                               ("compensate fishermen north channel", Filters()),
                               ("3.2 billion 220,000 residents", Filters()),
                               ("ministry compensation fishermen delta", Filters(date_from="2031-05-01"))]:
            found = []
            for index in (pipeline_index, postgres):
                keywords = index.keywords()
                keywords.from_passages = 10**9   # every word searched, as on a small index
                hits = keywords.search(query, 20, filters)
                texts = {p.id: (p.briefing_id, p.text) for p in
                         index.store.passages([pid for pid, _ in hits])}
                found.append([(texts[pid], score) for pid, score in hits])
            sqlite, postgresql = found
            assert len(sqlite) >= 2, query
            assert [key for key, _ in postgresql] == [key for key, _ in sqlite], query
            assert [s for _, s in postgresql] == pytest.approx([s for _, s in sqlite],
                                                               rel=1e-9), query
    finally:
        postgres.close()
