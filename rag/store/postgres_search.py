"""Keyword and dense search on the PostgreSQL backend, the same calls as FTS5 and FAISS.

Keyword search keeps rag.store.keywords' choice of words (how many passages hold a word: the
counts of the last ingest run, rag.store.sqlite.Store.count_words) and ranks the
passages holding any of them by a BM25-like score: each word's ts_rank (what was said weighs 1.0, the question
answered 0.35, as the FTS5 column weights) times its inverse document
frequency, which ts_rank alone lacks. Dense search orders by inner product on the HNSW index
when unfiltered; under filters it scores every allowed row exactly (the filters as WHERE), so
a narrow filter still gets its true nearest, as the FAISS side does.
"""
from __future__ import annotations

import math

import numpy as np

from rag.filters import Filters
from rag.store.keywords import KeywordSearch, TurnKeywords

_PHRASE = "phraseto_tsquery('english', ?)"
_WEIGHTS = "'{0, 0, 0.35, 1.0}'"   # ts_rank's {D, C, B, A}: text is A, the question B
# ts_rank's length normalisation: none. Measured (--retrieval-only, own set recall@10): none
# 0.870, 1 + log(length) 0.848, rank / (rank + 1) 0.870 but dev @5 0.844; dev 0.938 / 0.938
# otherwise. Passages are cut to at most 110 words, so length says little.
_NORMALISE = 0


class PostgresKeywords(KeywordSearch):
    """Passages by their words (the generated `words` tsvector, GIN-indexed)."""

    ROWS = "passages"

    def _count(self, term: str) -> int:
        # From the counts of the last ingest run (Store.count_words); a phrase counts
        # as its rarest word, a word no passage holds (or a stop word) as 0.
        return self.conn.execute(
            "SELECT COALESCE(MIN(COALESCE(w.passages, 0)), 0) FROM unnest(tsvector_to_array("
            "to_tsvector('english', ?))) AS l(word) LEFT JOIN passage_words w USING (word)",
            (term,)).fetchone()[0]

    def idf(self, term: str) -> float:
        """BM25's inverse document frequency of `term`."""
        found = self.frequency(term)
        return math.log(1 + (self.total - found + 0.5) / (found + 0.5))

    def _best(self, terms: list[str], k: int, filters: Filters,
              wide: bool) -> list[tuple[int, float]]:
        score = " + ".join(f"{self.idf(t):.6f} * ts_rank({_WEIGHTS}, p.words, {_PHRASE}, "
                           f"{_NORMALISE})" for t in terms)
        where, params = filters.sql("p")
        rows = self.conn.execute(
            f"SELECT p.id, {score} AS s FROM passages p WHERE p.words @@ "
            f"({' || '.join([_PHRASE] * len(terms))}){where} ORDER BY s DESC LIMIT ?",
            [*terms, *terms, *params, k])
        return [(int(r[0]), float(r[1])) for r in rows]


class PostgresTurnKeywords(PostgresKeywords, TurnKeywords):
    """Every turn by its words, for quote checks."""

    ROWS = "turns"

    def _count(self, term: str) -> int:
        return self.conn.execute(f"SELECT COUNT(*) FROM turns WHERE words @@ {_PHRASE}",
                                 (term,)).fetchone()[0]

    def _all(self, phrases: list[str], limit: int) -> list[int]:
        return [r[0] for r in self.conn.execute(
            f"SELECT id FROM turns WHERE words @@ ({' && '.join([_PHRASE] * len(phrases))}) "
            "LIMIT ?", [*phrases, limit])]

    def _ranked(self, phrases: list[str], limit: int) -> list[int]:
        # Ranked by how many of the phrases a turn holds (ts_rank of their OR): the phrases
        # here are a quote's runs of words or its rarer words, so no idf is needed.
        any_ = f"({' || '.join([_PHRASE] * len(phrases))})"
        return [r[0] for r in self.conn.execute(
            f"SELECT id FROM turns WHERE words @@ {any_} ORDER BY ts_rank(words, {any_}, "
            f"{_NORMALISE}) DESC LIMIT ?", [*phrases, *phrases, limit])]


class PostgresVectors:
    """Passages by the inner product of their vector with the query's (cosine: unit vectors)."""

    def __init__(self, conn) -> None:
        self.conn = conn

    def __len__(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0]

    def search(self, query: np.ndarray, k: int,
               allowed: Filters | None = None) -> list[tuple[int, float]]:
        """(passage id, cosine) of the k nearest passages, optionally among those `allowed`."""
        if k <= 0:
            return []
        vector = np.ascontiguousarray(query, dtype=np.float32).reshape(-1)
        if allowed is None:   # the HNSW index: ORDER BY the operator it is built for
            rows = self.conn.execute(
                "SELECT id, -(vector <#> ?) FROM passages ORDER BY vector <#> ? LIMIT ?",
                (vector, vector, k))
        else:                 # ordered by a derived score, so the planner scans exactly
            where, params = allowed.sql("p")
            rows = self.conn.execute(
                f"SELECT id, s FROM (SELECT p.id, -(p.vector <#> ?) AS s FROM passages p "
                f"WHERE 1=1{where}) scored ORDER BY s DESC LIMIT ?", [vector, *params, k])
        return [(int(r[0]), float(r[1])) for r in rows]
