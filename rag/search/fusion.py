"""Fusion: several ranked lists -> one ranking, with near-duplicate passages removed.

Two ways to fuse, chosen by search.fusion in config.yaml and compared in the README:
reciprocal rank fusion uses ranks only; score fusion adds min-max normalised scores, so a
passage that one ranker finds far better than the rest (a rare name, a number) keeps its lead
even when the other ranker misses it. On the evaluation questions score fusion is the better
one (see README). The near-duplicate pass keeps the same talking point, repeated on many days,
from filling the top k with copies of itself.
"""
from __future__ import annotations

from typing import Iterable, Sequence

from rag.text.normalize import overlap, shingles


def reciprocal_rank_fusion(lists: Sequence[tuple[float, Sequence[tuple[int, float]]]],
                           k: int = 60) -> list[tuple[int, float]]:
    """lists: (weight, [(id, score), ...] best first). Returns (id, fused score) best first."""
    fused: dict[int, float] = {}
    for weight, ranking in lists:
        for rank, (pid, _) in enumerate(ranking):
            fused[pid] = fused.get(pid, 0.0) + weight / (k + rank + 1)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def score_fusion(lists: Sequence[tuple[float, Sequence[tuple[int, float]]]],
                 k: int = 60) -> list[tuple[int, float]]:
    """lists: (weight, [(id, score), ...] best first); each list's top `k` scores are scaled to
    0..1 and summed with its weight. Returns (id, fused score) best first."""
    fused: dict[int, float] = {}
    for weight, ranking in lists:
        ranking = ranking[:k]
        if not ranking:
            continue
        scores = [score for _, score in ranking]
        low, span = min(scores), max(scores) - min(scores)
        for pid, score in ranking:
            # A list whose hits all score alike (one hit, say) gives each of them full weight.
            scaled = (score - low) / span if span else 1.0
            fused[pid] = fused.get(pid, 0.0) + weight * scaled
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


FUSIONS = {"rrf": reciprocal_rank_fusion, "scores": score_fusion}


def drop_near_duplicates(items: Iterable, text_of, limit: int, threshold: float) -> list:
    """The first `limit` items whose text does not overlap an earlier kept item's text by more
    than `threshold` (share of the shorter text's 4-word shingles). `items` is read only as far
    as needed."""
    kept: list = []
    kept_shingles: list[set] = []
    kept_texts: set[str] = set()
    for item in items:
        text = text_of(item)
        if text in kept_texts and threshold < 1.0:   # the same words again: no need to compare
            continue
        words = shingles(text)
        if any(overlap(words, other) > threshold for other in kept_shingles):
            continue
        kept.append(item)
        kept_shingles.append(words)
        kept_texts.add(text)
        if len(kept) >= limit:
            break
    return kept


def spread(items: Sequence, group_of) -> list:
    """`items` with the first item of each group (a briefing, say) ahead of the rest, the order
    otherwise kept."""
    seen: set = set()
    first: list = []
    rest: list = []
    for item in items:
        group = group_of(item)
        (rest if group in seen else first).append(item)
        seen.add(group)
    return first + rest
