"""The extra-leg lab's fusion and miss report on hand-made tables, where the answer can be worked out."""

from __future__ import annotations

import numpy as np

from eval.extra_legs import Leg, fuse_legs
from eval.misses import miss_kinds


def _leg(rows: list[list[float]], weight: float, positive_only: bool = False) -> Leg:
    scores = np.array(rows, dtype=np.float32)
    return scores, np.full(scores.shape[0], weight), positive_only


def test_a_third_leg_breaks_a_tie_the_first_two_leave() -> None:
    dense = _leg([[1.0, 0.5, 0.0]], 1.0)
    keyword = _leg([[2.0, 3.0, 1.0]], 1.0, positive_only=True)
    # Dense prefers a, BM25 prefers b by as much: a tie that only the third leg can settle.
    assert fuse_legs([dense, keyword])[0, 0] == fuse_legs([dense, keyword])[0, 1]
    fused = fuse_legs([dense, keyword, _leg([[0.0, 3.0, 1.0]], 0.3, positive_only=True)])
    assert int(np.argmax(fused[0])) == 1


def test_a_zero_score_in_a_positive_only_leg_does_not_make_a_candidate() -> None:
    fused = fuse_legs([_leg([[0.0, 0.0, 4.0]], 1.0, positive_only=True)], candidates=3)
    assert np.isinf(fused[0, 0]) and np.isinf(fused[0, 1])
    assert np.isfinite(fused[0, 2])


def test_misses_are_sorted_by_what_sits_at_rank_one() -> None:
    docs = {
        "gold": "Sultan Ali Mughayat ( 1514-1530 ) memerintah Aceh .",
        "twin": "Sultan Ali Mughayat ( 1514 - 1530 ) memerintah Aceh .",
        "other": "Teguh Karya lahir 1934 di Pandeglang .",
        "answers": "Ia lahir di Pandeglang , Banten .",
    }
    ranked = {"q1": ["gold"], "q2": ["twin", "gold"], "q3": ["answers"], "q4": ["other"]}
    qrels = {q: {"gold"} for q in ranked}
    answers = {"q3": "Pandeglang", "q4": "1514 - 1530"}
    kinds = miss_kinds(ranked, qrels, docs, answers)
    assert kinds == {
        "hit": 0.25,
        "near-duplicate": 0.25,
        "answer-bearing": 0.25,
        "context-dependent": 0.0,
        "other": 0.25,
    }
