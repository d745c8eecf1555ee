"""eval.reader_compare: which differences between two readers' reads are more than noise."""

from __future__ import annotations

import numpy as np
import pytest

from eval.metrics import roc_auc
from eval.reader_compare import compare


def _row(question: str, answerable: bool, logit: float, span: str = "x") -> dict[str, object]:
    gold = ["Bangalore"] if answerable else []
    item = {"question": question, "answerable": answerable, "gold_answers": gold, "gold_passage": None}
    return {"item": item, "reads": [{"rank": 0, "logit": logit, "span": span}]}


def test_roc_auc_counts_ties_as_half() -> None:
    scores, labels = np.array([2.0, 1.0, 1.0, 0.0]), np.array([True, True, False, False])
    assert roc_auc(scores, labels) == pytest.approx((2 + 1 + 0.5) / 4)
    # Pairs (pos, neg): 0.9>0.8, 0.9>0.1, 0.8=0.8 (half), 0.8>0.1, 0.3<0.8, 0.3>0.1 -> 4.5 of 6.
    scores = np.array([0.9, 0.8, 0.3, 0.8, 0.1])
    labels = np.array([True, True, True, False, False])
    assert roc_auc(scores, labels) == pytest.approx(4.5 / 6)
    assert np.isnan(roc_auc(scores, np.ones(5, dtype=bool))), "one class only: undefined"


def test_a_reader_that_separates_every_pair_is_clearly_better_than_one_that_guesses() -> None:
    rng = np.random.default_rng(1)
    labels = [i % 2 == 0 for i in range(120)]
    guessing = [_row(f"q{i}", a, float(rng.normal())) for i, a in enumerate(labels)]
    separating = [
        _row(f"q{i}", a, 3.0 if a else -3.0, "Bangalore" if a else "x") for i, a in enumerate(labels)
    ]
    auc, span = compare(guessing, separating, rank_prior=0.75)
    assert auc.candidate == 1.0 and auc.verdict == "better"
    assert span.base == 0.0 and span.candidate == 1.0 and span.verdict == "better"
    assert compare(separating, guessing, rank_prior=0.75)[0].verdict == "worse"


def test_the_same_reads_show_no_clear_difference() -> None:
    rows = [_row(f"q{i}", i % 3 == 0, float(i % 7)) for i in range(60)]
    auc, _ = compare(rows, rows, rank_prior=0.75)
    assert auc.low == auc.high == 0.0 and auc.verdict == "no clear difference"


def test_record_files_of_different_questions_are_refused() -> None:
    with pytest.raises(ValueError, match="same questions"):
        compare([_row("a", True, 1.0)], [_row("b", True, 1.0)], rank_prior=0.75)
