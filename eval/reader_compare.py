"""Two readers' valid reads side by side, with paired bootstrap intervals.

Differences of 0.01 in ROC AUC on a few hundred questions are noise as often as not; a candidate reader is
judged by whether each difference's 95% interval excludes zero. Both record files must hold the same
questions in the same order (`python -m eval.reader_eval ... --measure reads --records FILE`, once per model).

    python -m eval.reader_compare --base var/eval/ship-valid.jsonl --candidate var/eval/cand-valid.jsonl
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eval.metrics import roc_auc
from eval.reader_eval import contains_answer, lead_read, read_jsonl

BOOTSTRAP_ROUNDS = 2000


@dataclass(frozen=True)
class Difference:
    measure: str
    base: float
    candidate: float
    low: float
    high: float
    """The 95% interval of candidate minus base over resampled question sets."""

    @property
    def verdict(self) -> str:
        if self.low > 0:
            return "better"
        if self.high < 0:
            return "worse"
        return "no clear difference"

    def row(self) -> dict[str, object]:
        return {
            "measure": self.measure,
            "base": round(self.base, 4),
            "candidate": round(self.candidate, 4),
            "difference_95": [round(self.low, 4), round(self.high, 4)],
            "verdict": self.verdict,
        }


def best_logit(row: dict[str, object]) -> float:
    reads = row["reads"]
    assert isinstance(reads, list)
    return max((float(r["logit"]) for r in reads), default=-99.0)


def lead_span_hit(row: dict[str, object], rank_prior: float) -> float:
    """1 when the leading passage's top span holds a gold answer (answerable questions only)."""
    reads, item = row["reads"], row["item"]
    assert isinstance(reads, list) and isinstance(item, dict)
    if not reads:
        return 0.0
    return float(contains_answer(str(lead_read(reads, rank_prior)["span"]), list(item["gold_answers"])))


def paired(
    measure: str,
    base: np.ndarray,
    candidate: np.ndarray,
    statistic: Callable[[np.ndarray, np.ndarray], float],
    labels: np.ndarray,
    *,
    seed: int = 0,
) -> Difference:
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(BOOTSTRAP_ROUNDS):
        pick = rng.integers(0, len(labels), len(labels))
        diffs.append(statistic(candidate[pick], labels[pick]) - statistic(base[pick], labels[pick]))
    finite = np.array([d for d in diffs if np.isfinite(d)])
    low, high = np.percentile(finite, [2.5, 97.5])
    return Difference(measure, statistic(base, labels), statistic(candidate, labels), float(low), float(high))


def compare(base_rows: Sequence[dict[str, object]], candidate_rows: Sequence[dict[str, object]],
            rank_prior: float) -> list[Difference]:  # fmt: skip
    questions = [r["item"]["question"] for r in base_rows]  # type: ignore[index]
    if questions != [r["item"]["question"] for r in candidate_rows]:  # type: ignore[index]
        raise ValueError("the two record files do not hold the same questions in the same order")
    labels = np.array([bool(r["item"]["answerable"]) for r in base_rows])  # type: ignore[index]
    found: list[Difference] = []
    if labels.any() and not labels.all():
        found.append(
            paired(
                "ROC AUC of the best passage's answerability",
                np.array([best_logit(r) for r in base_rows]),
                np.array([best_logit(r) for r in candidate_rows]),
                roc_auc,
                labels,
            )
        )
    gold = np.array([bool(r["item"]["gold_answers"]) for r in base_rows])  # type: ignore[index]
    if gold.any():
        found.append(
            paired(
                "answer in the lead passage's top span",
                np.array([lead_span_hit(r, rank_prior) for r in base_rows]),
                np.array([lead_span_hit(r, rank_prior) for r in candidate_rows]),
                lambda hits, has_gold: float(hits[has_gold].mean()) if has_gold.any() else float("nan"),
                gold,
            )
        )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", type=Path, required=True, help="reads of the shipped reader")
    parser.add_argument(
        "--candidate", type=Path, required=True, help="reads of the candidate, same questions"
    )
    parser.add_argument(
        "--rank-prior", type=float, default=0.75, help="logits per retrieval rank (lead span)"
    )
    args = parser.parse_args(argv)
    for difference in compare(read_jsonl(args.base), read_jsonl(args.candidate), args.rank_prior):
        print(json.dumps(difference.row()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
