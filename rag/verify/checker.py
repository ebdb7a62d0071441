"""The quote check: a claim (words, speaker, date) -> candidate turns -> word alignment ->
verdict.

    candidates  turns holding the quote's words as a phrase (FTS5 over every turn: officials,
                journalists, the chair); unless the credited speaker said them as they stand,
                the turns holding most of its runs of a few words (a changed word leaves the
                runs around it); when no turn holds the words, the turns sharing most of its
                rarer words (BM25) and those of the passages nearest in meaning (FAISS)
    alignment   each candidate's words closest to the quote (rag.text.align: ellipses as
                gaps, [brackets] as an editor's words, punctuation and case ignored)
    verdict     verbatim (the credited speaker, on the credited date), else misattributed
                (the words said by someone else or on another day, before any close words
                of the credited speaker), else altered (the credited speaker's close words,
                with the differences), else misattributed (someone else's close words),
                else not_found (the nearest excerpts shown)

Only candidate turns are aligned, so a check costs a few keyword queries and alignments,
whatever the size of the index.
"""
from __future__ import annotations

import time
from typing import Iterable

from rag.config import VerifySettings
from rag.errors import BriefingsError
from rag.filters import Filters
from rag.records import OFFICIAL
from rag.search.retriever import Retriever
from rag.text.align import Pattern, align, pattern, words
from rag.verify.records import (ALTERED, MISATTRIBUTED, NOT_FOUND, VERBATIM, Claim, Match,
                                QuoteCheck)


class BadQuote(BriefingsError, ValueError):
    """A quote that cannot be checked (no words in it)."""


class QuoteChecker:
    """Checks quotes against every turn of one index."""

    def __init__(self, retriever: Retriever, options: VerifySettings) -> None:
        self.retriever = retriever
        self.store = retriever.index.store
        self.options = options
        self.keywords = retriever.index.turn_keywords()
        self._generation = -1

    def check(self, claim: Claim) -> QuoteCheck:
        """The verdict on `claim`, with where its words were said and every other place."""
        started = time.perf_counter()
        generation = self.retriever.index.generation
        if generation != self._generation:   # word counts change with an ingest
            self.keywords.refresh()
            self._generation = generation
        p = pattern(claim.quote, self.options.bracket_words)
        if not p.parts:
            raise BadQuote(f"quote: no words to check in {claim.quote!r}")
        seen: set[int] = set()
        matches = self._aligned(p, self.keywords.containing(p.terms, self.options.phrase_turns),
                                seen)
        if not any(m.alignment.verbatim and claim.credits(m.turn) for m in matches):
            matches += self._aligned(p, self.keywords.overlapping(
                p.terms, self.options.run_words, self.options.keyword_turns), seen)
        if not any(m.alignment.verbatim for m in matches):
            flat = " ".join(w for part in p.terms for w in part)
            matches += self._aligned(p, self.keywords.sharing(flat, self.options.keyword_turns),
                                     seen)
            if self.options.dense_passages:
                matches += self._aligned(p, self._nearest_in_meaning(flat), seen)
        result = decide(claim, matches, self.options.close_similarity, self.options.nearest)
        if result.found is None:   # said with a verdict of not found only: a count is not free
            result.searched = self.store.briefing_count(Filters())
        result.timings["check_ms"] = round((time.perf_counter() - started) * 1000, 2)
        return result

    def _nearest_in_meaning(self, text: str) -> list[int]:
        vector = self.retriever.embed_query(text)
        nearest = self.retriever.index.dense().search(vector, self.options.dense_passages)
        return self.store.turns_of([pid for pid, _ in nearest])

    def _aligned(self, p: Pattern, turn_ids: Iterable[int], seen: set[int]) -> list[Match]:
        fresh = [i for i in dict.fromkeys(turn_ids) if i not in seen]
        seen.update(fresh)
        return [Match(turn, align(p, words(turn.text))) for turn in self.store.turns(fresh)]


def decide(claim: Claim, matches: list[Match], close: float, nearest: int) -> QuoteCheck:
    """The verdict on `claim` from the aligned candidate turns (see the module's docstring):
    the words as they stand before close words, the credited speaker and date before others."""
    near = [m for m in matches if m.alignment.similarity >= close]
    verbatim = [m for m in near if m.alignment.verbatim]
    for group, credited, verdict in ((verbatim, True, VERBATIM), (verbatim, False, MISATTRIBUTED),
                                     (near, True, ALTERED), (near, False, MISATTRIBUTED)):
        fitting = [m for m in group if claim.credits(m.turn) == credited]
        if fitting:
            found = _best(fitting)
            others = sorted((m for m in near if m is not found),
                            key=lambda m: (m.turn.date, m.turn.briefing_id, m.turn.order))
            return QuoteCheck(claim, verdict, found, occurrences=others)
    closest = sorted((m for m in matches if m.alignment.similarity > 0),
                     key=lambda m: -m.alignment.similarity)
    return QuoteCheck(claim, NOT_FOUND, None, nearest=closest[:nearest])


def _best(matches: list[Match]) -> Match:
    # the closest words; among equals an official's answer (a reporter may read an official's
    # words back to them), then the earliest briefing (where the words were first said)
    return min(matches, key=lambda m: (-round(m.alignment.similarity, 6), m.turn.role != OFFICIAL,
                                       m.turn.date, m.turn.briefing_id, m.turn.order))
