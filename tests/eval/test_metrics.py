"""Ranking metrics on tiny hand-made rankings whose answers can be worked out by hand."""

from __future__ import annotations

import pytest

from eval.metrics import dedupe, percentile, recall_at_k, reciprocal_rank_at_k, score_rankings


def test_recall_counts_only_the_top_k() -> None:
    ranking = ["a", "b", "c", "d"]
    assert recall_at_k(ranking, {"c"}, 2) == 0.0
    assert recall_at_k(ranking, {"c"}, 3) == 1.0


def test_recall_is_the_share_of_relevant_documents_found() -> None:
    assert recall_at_k(["a", "x", "b"], {"a", "b", "z", "y"}, 3) == 0.5


def test_repeated_document_counts_once_at_its_best_rank() -> None:
    # Two chunks of "a" must not push "b" out of the top 2 or count "a" twice.
    ranking = ["a", "a", "b"]
    assert recall_at_k(ranking, {"b"}, 2) == 1.0
    assert recall_at_k(ranking, {"a", "b"}, 1) == 0.5
    assert dedupe(ranking) == ["a", "b"]


def test_reciprocal_rank_uses_the_first_relevant_hit() -> None:
    assert reciprocal_rank_at_k(["x", "y", "a", "b"], {"a", "b"}, 10) == pytest.approx(1 / 3)
    assert reciprocal_rank_at_k(["a"], {"a"}, 10) == 1.0


def test_reciprocal_rank_beyond_cutoff_is_zero() -> None:
    assert reciprocal_rank_at_k(["x", "y", "a"], {"a"}, 2) == 0.0


def test_score_rankings_averages_over_judged_queries_and_counts_missing_as_miss() -> None:
    rankings = {"q1": ["d1", "d2"], "q2": ["d9", "d3"]}
    qrels = {"q1": {"d1"}, "q2": {"d3"}, "q3": {"d4"}, "q4": set()}
    scores = score_rankings(rankings, qrels, ks=(1, 2), mrr_k=10)
    assert scores.queries == 3  # q4 has no relevant document and is not scored
    assert scores.recall[1] == pytest.approx(1 / 3)
    assert scores.recall[2] == pytest.approx(2 / 3)
    assert scores.mrr == pytest.approx((1 + 0.5 + 0) / 3)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        recall_at_k(["a"], set(), 1)
    with pytest.raises(ValueError):
        recall_at_k(["a"], {"a"}, 0)
    with pytest.raises(ValueError):
        score_rankings({}, {"q": set()})


def test_percentile_interpolates_between_ranks() -> None:
    values = [10.0, 20.0, 30.0, 40.0, 50.0]
    assert percentile(values, 50) == 30.0
    assert percentile(values, 95) == pytest.approx(48.0)
    assert percentile([7.0], 95) == 7.0
    assert percentile([3.0, 1.0, 2.0], 0) == 1.0


def test_any_hit_counts_a_query_once_however_many_relevant_documents_it_has() -> None:
    rankings = {"q": ["a", "x", "b"]}
    qrels = {"q": {"a", "b", "c"}}
    assert score_rankings(rankings, qrels, ks=(1, 3)).recall == {1: 1 / 3, 3: 2 / 3}
    assert score_rankings(rankings, qrels, ks=(1, 3), any_hit=True).recall == {1: 1.0, 3: 1.0}
    assert score_rankings({"q": ["x", "y"]}, qrels, ks=(2,), any_hit=True).recall == {2: 0.0}
