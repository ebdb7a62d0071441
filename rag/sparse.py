"""Keyword search: BM25 over the store's FTS5 table, filters applied in the same query.

The query is an OR of its content words (stop words dropped), so a passage that shares the
rare words of a question (names, places, numbers) ranks high without needing all of them.
"""
from __future__ import annotations

import re
import sqlite3

from rag.filters import Filters

STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just
me more most my myself no nor not now of off on once only or other our ours ourselves out over
own same she should so some such than that the their theirs them themselves then there these
they this those through to too under until up very was we were what when where which while who
whom why will with would you your yours yourself yourselves according said say says tell told
did does according ministry spokesperson briefing briefings press conference white house
""".split())

# Column weights for bm25(): the passage text counts most; the question it answers helps.
_WEIGHTS = "1.0, 0.35, 0.5, 0.1"

_TOKEN = re.compile(r"[\w][\w'\-.,]*[\w]|\w", re.UNICODE)


def match_expression(query: str) -> str:
    """FTS5 MATCH text: OR of quoted content words; '' when the query has none."""
    terms: dict[str, None] = {}
    for token in _TOKEN.findall(query):
        token = token.strip("'.,-").lower()
        if token.endswith("'s"):
            token = token[:-2]
        if token and token not in STOP_WORDS and (len(token) > 1 or token.isdigit()):
            terms.setdefault(token.replace('"', ""), None)
    return " OR ".join(f'"{t}"' for t in terms)


def search(conn: sqlite3.Connection, query: str, k: int,
           filters: Filters | None = None) -> list[tuple[int, float]]:
    """(passage id, BM25 score: higher is better) of the k best keyword matches."""
    expression = match_expression(query)
    if not expression or k <= 0:
        return []
    where, params = (filters or Filters()).sql("p")
    join = " JOIN passages p ON p.id = passages_fts.rowid" if where else ""
    rows = conn.execute(
        f"SELECT passages_fts.rowid, bm25(passages_fts, {_WEIGHTS}) AS s FROM passages_fts{join} "
        f"WHERE passages_fts MATCH ?{where} ORDER BY s LIMIT ?",
        [expression, *params, k])
    return [(int(r[0]), -float(r[1])) for r in rows]
