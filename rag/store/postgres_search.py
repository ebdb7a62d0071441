"""Keyword and dense search on the PostgreSQL backend, the same calls as FTS5 and FAISS.

Keyword search keeps rag.store.keywords' choice of words (from how many passages' text holds
each word: the counts of the last ingest run, Store.count_words) and ranks the passages holding
any of them by FTS5's own bm25(): each word's weighted frequency (what was said counts 1.0, the
question answered 0.35), saturated by k1 = 1.2 and normalised by the passage's length in tokens
(b = 0.75), times its idf among the passages holding it in either column. The two backends then
order passages alike, so an index moved to PostgreSQL answers as it did (ts_rank, tried first,
has no idf and no length normalisation: dev recall@5 differed by one question in 32). Dense
search orders by inner product on the HNSW index when unfiltered; under filters it scores every
allowed row exactly (the filters as WHERE), so a narrow filter still gets its true nearest, as
the FAISS side does.
"""
from __future__ import annotations

import math

import numpy as np

from rag.filters import Filters
from rag.store.keywords import COLUMN_WEIGHTS, KeywordSearch, TurnKeywords

_PHRASE = "phraseto_tsquery('english', ?)"
# ts_rank's length normalisation (quote checks' ranking): none.
_NORMALISE = 0
_K1, _B = 1.2, 0.75   # FTS5's bm25() constants


class PostgresKeywords(KeywordSearch):
    """Passages by their words (the generated `words` tsvector, GIN-indexed: what was said
    weighs A, the question B)."""

    ROWS = "passages"

    def refresh(self) -> None:
        super().refresh()
        self._anywhere: dict[str, int] = {}
        self._average = 0.0

    def _lexemes(self, term: str) -> list[tuple[str, int]]:
        """(lexeme, position from the first) of each word of `term` as the index stems it:
        one for a word, several for "4,000" or "covid-19"; none for a stop word."""
        rows = self.conn.execute("SELECT lexeme, p FROM unnest(to_tsvector('english', ?)) l, "
                                 "unnest(l.positions) p ORDER BY p", (term,)).fetchall()
        return [(lexeme, at - rows[0][1]) for lexeme, at in rows]

    def _counted(self, term: str, column: str, where: str) -> int:
        # A one-lexeme word from the counts of the last ingest run; a phrase, or a word those
        # counts lack (committed since by a running ingest), counted in the index.
        lexemes = self._lexemes(term)
        if not lexemes:
            return 0
        if len(lexemes) == 1:
            row = self.conn.execute(f"SELECT {column} FROM passage_words WHERE word = ?",
                                    (lexemes[0][0],)).fetchone()
            if row:
                return row[0]
        return self.conn.execute(f"SELECT COUNT(*) FROM passages p WHERE p.words @@ {_PHRASE}"
                                 f"{where}", (term,) * (1 + where.count("?"))).fetchone()[0]

    def _count(self, term: str) -> int:
        # Passages whose text holds `term`, as SQLite's counts (the choice of words).
        return self._counted(term, "passages", f" AND ts_filter(p.words, '{{a}}') @@ {_PHRASE}")

    def anywhere(self, term: str) -> int:
        """How many passages hold `term` in either column: bm25's idf, as FTS5 counts it."""
        if term not in self._anywhere:
            self._anywhere[term] = self._counted(term, "anywhere", "")
        return self._anywhere[term]

    def idf(self, term: str) -> float:
        """FTS5's inverse document frequency of `term` (a floor for words in over half)."""
        found = self.anywhere(term)
        return max(math.log((self.total - found + 0.5) / (found + 0.5)), 1e-6)

    @property
    def average_tokens(self) -> float:
        """Passages' average length in tokens, from the last ingest run's count."""
        if not self._average:
            row = self.conn.execute("SELECT value FROM meta WHERE key = 'average_tokens'"
                                    ).fetchone()
            self._average = float(row[0]) if row and float(row[0]) > 0 else 1.0
        return self._average

    def _best(self, terms: list[str], k: int, filters: Filters,
              wide: bool) -> list[tuple[int, float]]:
        # q: each term's lexemes with their offsets; o: where the matching passages hold those
        # lexemes, by column (the passage's tsvector cut to the query's lexemes first: setweight
        # marks them D, which no stored word has, then ts_filter keeps only D; unnesting the
        # whole tsvector costs twice as much); hits: a term found at a start position when all
        # its lexemes sit at their offsets from it.
        rows = [(i, lexeme, at, len(lexemes), self.idf(term)) for i, term in enumerate(terms)
                for lexemes in [self._lexemes(term)] for lexeme, at in lexemes]
        if not rows:
            return []
        columns = [list(column) for column in zip(*rows)]
        text, question = COLUMN_WEIGHTS
        where, params = filters.sql("p")
        found = self.conn.execute(
            "WITH q(term, lexeme, at, size, idf) AS (SELECT * FROM "
            "unnest(?::int[], ?::text[], ?::int[], ?::int[], ?::float8[])), "
            "m AS (SELECT p.id, p.tokens, p.words FROM passages p WHERE p.words @@ "
            f"({' || '.join([_PHRASE] * len(terms))}){where}), "
            "o AS (SELECT m.id, c.weight, x.lexeme, pos FROM m "
            f"CROSS JOIN (VALUES ('{{a}}'::\"char\"[], {text}::float8), ('{{b}}', {question})) "
            "c(part, weight) CROSS JOIN LATERAL unnest(ts_filter(setweight(ts_filter(m.words, "
            "c.part), 'D', ?::text[]), '{d}')) x CROSS JOIN LATERAL unnest(x.positions) pos), "
            "hits AS (SELECT o.id, q.term, o.weight FROM o JOIN q USING (lexeme) "
            "GROUP BY o.id, q.term, q.size, o.weight, o.pos - q.at HAVING COUNT(*) = q.size), "
            "tf AS (SELECT id, term, SUM(weight) AS f FROM hits GROUP BY id, term) "
            f"SELECT tf.id, SUM(i.idf * tf.f * {_K1 + 1} / (tf.f + {_K1} * "
            f"({1 - _B} + {_B} * m.tokens / {self.average_tokens!r}))) AS s "
            "FROM tf JOIN m USING (id) JOIN (SELECT DISTINCT term, idf FROM q) i USING (term) "
            "GROUP BY tf.id ORDER BY s DESC, tf.id LIMIT ?",
            [*columns, *terms, *params, columns[1], k])
        return [(int(r[0]), float(r[1])) for r in found]


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
