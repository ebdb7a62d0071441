"""Fusing ranked lists (reciprocal rank, scores), dropping near-duplicates, spreading groups."""
from rag.search.fusion import drop_near_duplicates, reciprocal_rank_fusion, spread


def test_rrf_rewards_agreement_and_weights():
    fused = reciprocal_rank_fusion([(1.0, [(1, 9.0), (2, 8.0)]), (1.0, [(2, 0.9), (3, 0.8)])])
    assert fused[0][0] == 2
    fused = reciprocal_rank_fusion([(3.0, [(1, 9.0)]), (1.0, [(2, 0.9)])])
    assert fused[0][0] == 1


def test_near_duplicates_are_dropped():
    talking_point = "China firmly opposes interference in its internal affairs and urges the side to stop"
    items = [talking_point + " now.", talking_point + " at once.", "A different statement on trade."]
    kept = drop_near_duplicates(items, lambda t: t, limit=3, threshold=0.8)
    assert kept == [items[0], items[2]]


def test_spread_puts_each_groups_first_item_ahead_of_any_second():
    ranked = ["may17-a", "may17-b", "may29-a", "may17-c", "may09-a", "may29-b"]
    assert spread(ranked, lambda item: item[:5]) == [
        "may17-a", "may29-a", "may09-a", "may17-b", "may17-c", "may29-b"]
    assert spread([], len) == []


def test_score_fusion_keeps_a_lone_keyword_hit():
    from rag.search.fusion import score_fusion
    fused = score_fusion([(1.0, [(7, 3.2)]), (1.0, [(1, 0.5), (7, 0.3), (2, 0.1)])])
    assert fused[0][0] == 7
