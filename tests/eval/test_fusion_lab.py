"""The tuning lab's fusion on hand-made score tables, where the right order can be worked out by hand."""

from __future__ import annotations

import numpy as np

from eval.fusion_lab import Fusion, ScoreTables, fuse, single_leg


def _tables(dense: list[list[float]], keyword: list[list[float]], coverage: list[float]) -> ScoreTables:
    return ScoreTables(
        query_ids=[f"q{i}" for i in range(len(dense))],
        doc_ids=["a", "b", "c"],
        dense=np.array(dense, dtype=np.float32),
        keyword=np.array(keyword, dtype=np.float32),
        query_langs=["id"] * len(dense),
        doc_langs=["id"] * 3,
        coverage=coverage,
    )


def test_single_legs_rank_by_their_own_scores() -> None:
    tables = _tables([[0.9, 0.8, 0.7]], [[0.0, 5.0, 1.0]], [1.0])
    assert single_leg(tables, "dense")["q0"] == ["a", "b", "c"]
    assert single_leg(tables, "keyword")["q0"][:2] == ["b", "c"]


def test_score_fusion_lets_a_strong_keyword_match_win_over_a_close_dense_call() -> None:
    # Dense barely prefers "a"; BM25 strongly prefers "b": the weighted sum of scaled scores picks "b".
    tables = _tables([[0.90, 0.89, 0.70]], [[1.0, 9.0, 0.5]], [1.0])
    assert fuse(tables, Fusion(method="score"))["q0"][0] == "b"
    # With the keyword leg weighted to nothing, the dense order comes back.
    assert fuse(tables, Fusion(method="score", keyword_weight=0.0))["q0"][0] == "a"


def test_coverage_power_silences_the_keyword_leg_for_questions_it_cannot_read() -> None:
    # Same scores, but the second question shares few terms with the corpus (an English question).
    tables = _tables([[0.90, 0.89, 0.70]] * 2, [[1.0, 9.0, 0.5]] * 2, [1.0, 0.1])
    ranked = fuse(tables, Fusion(method="score", coverage_power=2.0))
    assert ranked["q0"][0] == "b"
    assert ranked["q1"][0] == "a"


def test_documents_outside_both_candidate_lists_are_not_returned() -> None:
    tables = _tables([[0.9, 0.1, 0.2]], [[0.0, 0.0, 3.0]], [1.0])
    assert set(fuse(tables, Fusion(method="rrf", candidates=1))["q0"]) == {"a", "c"}
