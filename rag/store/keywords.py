"""Keyword search: BM25 over the store's FTS5 table, filters applied in the same query.

(The PostgreSQL backend's is rag.store.postgres_search: the same word selection, its own SQL.)

The query is an OR of its content words (stop words dropped), so a passage that shares the
rare words of a question (names, places, numbers) ranks high without needing all of them.
Words found in a large share of all passages ("China", "president") are left out when rarer
ones remain, and a long query keeps only its rarest words: common words add almost nothing to
BM25 but make it score much of the index.
"""
from __future__ import annotations

import re
import sqlite3
import threading
from typing import Sequence

from rag.filters import Filters
from rag.text.terms import STOP_WORDS


# Column weights for bm25(): the passage text counts most; the question it answers helps.
COLUMN_WEIGHTS = (1.0, 0.35)

# How the store's FTS5 tables split and stem words (rag.store.migrations).
TOKENIZER = "porter unicode61 remove_diacritics 2"
_TOKENS_LOCK = threading.Lock()

_TOKEN = re.compile(r"[\w][\w'\-.,]*[\w]|\w", re.UNICODE)


def query_words(query: str) -> list[str]:
    """The content words of a query, lower-cased, in order, without repeats.

    Whole words as written ("u.s.", "4,000"), not rag.text.terms stems: FTS5 matches each
    quoted word as its own phrase, and the word counts are kept per written word."""
    found: dict[str, None] = {}
    for token in _TOKEN.findall(query):
        token = token.strip("'.,-").lower()
        if token.endswith("'s"):
            token = token[:-2]
        if token and token not in STOP_WORDS and (len(token) > 1 or token.isdigit()):
            found.setdefault(token.replace('"', ""), None)
    return list(found)


def match_expression(query: str, words: list[str] | None = None) -> str:
    """FTS5 MATCH text: OR of quoted content words; '' when the query has none."""
    return " OR ".join(f'"{t}"' for t in (query_words(query) if words is None else words))


class KeywordSearch:
    """BM25 search over one store's passages, remembering how common each query word is.

    Which words of a query are searched is decided here for both backends; the SQL that
    counts and ranks is in the small methods below (FTS5), overridden for PostgreSQL in
    rag.store.postgres_search."""

    TABLE = "passages_fts"   # the FTS5 table searched
    ROWS = "passages"        # the rows it indexes
    WORDS = "passage_words"  # how many rows hold each word (None: counted each time)

    def __init__(self, conn: sqlite3.Connection, common_share: float = 0.05,
                 keep: int = 3, from_passages: int = 5000, most: int = 8,
                 postings: int = 1_000_000_000) -> None:
        self.conn = conn
        self.common_share = common_share  # a word in more passages than this share is common
        self.keep = keep                  # ... and dropped only while this many words remain
        self.most = most                  # the rarest this many words of a long query are kept
        self.postings = postings          # ... while their postings together stay within this
        self._tokenizer = False           # the temp tables of _tokens made on this connection
        self.from_passages = from_passages  # a smaller index is fast to score whole
        self.refresh()

    def refresh(self) -> None:
        """Forget word counts (after an ingest)."""
        self._frequency: dict[str, int] = {}
        self._total = 0

    def frequency(self, term: str) -> int:
        """How many rows hold `term` (cached until refresh)."""
        if term not in self._frequency:
            self._frequency[term] = self._count(term)
        return self._frequency[term]

    @property
    def total(self) -> int:
        """How many rows are searched (cached until refresh)."""
        if not self._total:
            self._total = self.conn.execute(f"SELECT COUNT(*) FROM {self.ROWS}").fetchone()[0]
        return self._total

    def _count(self, term: str) -> int:
        # A word that is one token is looked up in the counts of the last ingest run; a phrase
        # ("u.s."), or a word those counts lack (committed since by a running ingest), is
        # counted in the index.
        tokens = self._tokens(term) if self.WORDS else []
        if len(tokens) == 1:
            row = self.conn.execute(f"SELECT passages FROM {self.WORDS} WHERE word = ?",
                                    (tokens[0],)).fetchone()
            if row:
                return row[0]
        return self.conn.execute(f"SELECT COUNT(*) FROM {self.TABLE} WHERE {self.TABLE} MATCH ?",
                                 (f'text:"{term}"',)).fetchone()[0]

    def _tokens(self, word: str) -> list[str]:
        """The tokens FTS5 makes of `word`, stemmed as the index's words are, from FTS5 itself:
        the word written to a one-row table with the same tokenizer, its vocabulary read back."""
        with _TOKENS_LOCK:   # the connection is shared by threads; the table holds one word
            if not self._tokenizer:   # per connection: IF NOT EXISTS for a second search on it
                self.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.one_word USING "
                                  f"fts5(word, tokenize = '{TOKENIZER}')")
                self.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.one_word_tokens "
                                  "USING fts5vocab(temp, one_word, 'instance')")
                self._tokenizer = True
            self.conn.execute("INSERT INTO temp.one_word(rowid, word) VALUES (1, ?)", (word,))
            try:
                return [r[0] for r in self.conn.execute(
                    "SELECT term FROM temp.one_word_tokens ORDER BY offset")]
            finally:
                self.conn.execute("DELETE FROM temp.one_word")

    def selected_terms(self, query: str) -> list[str]:
        words = query_words(query)
        if self.total < self.from_passages:
            return words
        limit = self.common_share * self.total
        by_rarity = sorted(words, key=self.frequency)
        rare = [w for w in by_rarity if self.frequency(w) <= limit]
        # Common words only when a question has too few others.
        candidates = rare if len(rare) >= self.keep else by_rarity[:self.keep]
        # Every word costs its whole posting list; past the rarest few (search.most_query_words)
        # they no longer change the top of the ranking (a journalist's question runs to 30).
        # Past the rarest, a word is kept only while the kept words' postings together stay
        # within search.keyword_postings, so the cost of a search stays bounded as the index
        # grows: at a million passages an ordinary word alone has tens of thousands, and a
        # question of common words only ("so what do we know now") is left to dense search.
        kept: set[str] = set()
        postings = 0
        for word in candidates[:self.most]:
            postings += self.frequency(word)
            if postings > self.postings and (kept or self.frequency(word) > limit):
                break
            kept.add(word)
        return [w for w in words if w in kept]

    def search(self, query: str, k: int, filters: Filters | None = None,
               wide: bool = False) -> list[tuple[int, float]]:
        """(passage id, BM25 score: higher is better) of the k best keyword matches; `wide`:
        the filters allow a large share of the index (rag.store.vectors.Wide)."""
        terms = self.selected_terms(query)
        if not terms or k <= 0:
            return []
        return self._best(terms, k, filters or Filters(), wide)

    def _best(self, terms: list[str], k: int, filters: Filters,
              wide: bool) -> list[tuple[int, float]]:
        expression = match_expression("", terms)
        where, params = filters.sql("p")
        # A filter is a membership test in the set of allowed ids, which SQLite builds once from
        # the passages' indexes; it runs before bm25(), the costly part, is computed. ('+' keeps
        # FTS5 from looking each allowed id up in turn.) Measured 3-9x faster than joining every
        # match to its passage row, same results; but a wide filter's set (a year of a million
        # passages) costs more to build than the matches cost to look up, so those are joined.
        if where and wide:
            allowed = (" AND passages_fts.rowid IN (SELECT p.id FROM passages p WHERE "
                       f"p.id = passages_fts.rowid{where})")
        elif where:
            allowed = f" AND +passages_fts.rowid IN (SELECT p.id FROM passages p WHERE 1=1{where})"
        else:
            allowed = ""
        rows = self.conn.execute(
            "SELECT passages_fts.rowid, bm25(passages_fts, "
            f"{', '.join(map(str, COLUMN_WEIGHTS))}) AS s FROM passages_fts "
            f"WHERE passages_fts MATCH ?{allowed} ORDER BY s LIMIT ?",
            [expression, *params, k])
        return [(int(r[0]), -float(r[1])) for r in rows]


class TurnKeywords(KeywordSearch):
    """Keyword search over every turn (officials, journalists, the chair), for quote checks."""

    TABLE = "turns_fts"
    ROWS = "turns"
    WORDS = None

    def containing(self, parts: Sequence[Sequence[str]], limit: int) -> list[int]:
        """Ids of the turns holding every run of words in `parts` as a phrase (stemmed and
        without punctuation, as FTS5 compares: callers check the exact words)."""
        phrases = [" ".join(part) for part in parts if part]
        return self._all(phrases, limit) if phrases else []

    def _all(self, phrases: list[str], limit: int) -> list[int]:
        """Ids of turns holding every phrase."""
        expression = " AND ".join(f'"{phrase}"' for phrase in phrases)
        return [r[0] for r in self.conn.execute(
            "SELECT rowid FROM turns_fts WHERE turns_fts MATCH ? LIMIT ?", (expression, limit))]

    def overlapping(self, parts: Sequence[Sequence[str]], size: int, limit: int) -> list[int]:
        """Ids of the turns holding the most runs of `size` consecutive words of `parts`, best
        first (BM25 over an OR of the runs as phrases): a quote with a word changed still has
        its runs on either side of it, wherever its rarer words are common."""
        runs = {" ".join(part[i:i + size]) for part in parts
                for i in range(max(1, len(part) - size + 1))}
        if not runs:
            return []
        return self._ranked(sorted(runs), limit)

    def sharing(self, text: str, limit: int) -> list[int]:
        """Ids of the turns sharing most of the rarer words of `text`, best first (BM25)."""
        terms = self.selected_terms(text)
        return self._ranked(terms, limit) if terms else []

    def _ranked(self, phrases: list[str], limit: int) -> list[int]:
        """Ids of the `limit` turns matching any of `phrases` best (BM25)."""
        return [r[0] for r in self.conn.execute(
            "SELECT rowid FROM turns_fts WHERE turns_fts MATCH ? ORDER BY bm25(turns_fts) "
            "LIMIT ?", (" OR ".join(f'"{phrase}"' for phrase in phrases), limit))]
