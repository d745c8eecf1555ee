"""Fit the evidence gate (bot/answering/evidence.py) on recorded gate signals; report it against the old gate.

    python -m eval.answers sample --work var/eval-gate/sample          # records with the gate's signals
    python -m eval.answers offtopic --data ../shared/data/idk_mrc --limit 100 --work var/eval-gate/sample
    python -m eval.answers offtopic --data ../shared/data/facqa --limit 100 --work var/eval-gate/sample
    python -m eval.answers idk --data ../shared/data/idk_mrc --limit 400 --work var/eval-gate/idk
    python -m eval.gate_fit sample=var/eval-gate/sample/records-sample-extractive.jsonl \\
        idk=var/eval-gate/idk/records-idk-extractive.jsonl \\
        offtopic=var/eval-gate/sample/records-offtopic-idk_mrc-extractive.jsonl \\
        offtopic=var/eval-gate/sample/records-offtopic-facqa-extractive.jsonl \\
        --test idk=var/eval-gate/idk-test/records-idk-extractive.jsonl \\
        offtopic=var/eval-gate/sample-test/records-offtopic-idk_mrc-extractive.jsonl \\
        offtopic=var/eval-gate/sample-test/records-offtopic-facqa-extractive.jsonl \\
        --floor 0.9 --features best dense
    (the --test records come from the same commands with --work var/eval-gate/{sample,idk}-test, offtopic
    --limit 200 and idk without --limit; questions also in the fitted files are dropped from them)

A logistic regression (numpy, Newton steps, light L2) over the gate's signals; half the weight goes to
each class, shared equally by its sets, so 15 unanswerable sample questions count as much as 200 off-topic
ones. The probability cutoff maximises mean answer rate plus mean decline rate over the sets, among cutoffs
that answer at least --floor of every set's answerable questions. Reported: 5-fold cross-validation on the
fitted files (IDK-MRC folds by paragraph, so paraphrased questions never straddle folds) and the --test
files, for the old gate (cosine >= MIN_EVIDENCE) and the fitted one; constants for evidence.py come last.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from eval.answers import MIN_EVIDENCE, Record, read_jsonl
from eval.gate_features import FEATURES

L2 = 0.01
FOLDS = 5
USED = set(FEATURES)  # --features narrows it; the others get weight 0


def load(specs: list[str]) -> list[tuple[str, Record]]:
    rows = []
    for spec in specs:
        name, path = spec.split("=", 1)
        rows += [(name, Record(**row)) for row in read_jsonl(Path(path))]  # type: ignore[arg-type]
    return [row for row in rows if row[1].gate]


def matrix(rows: list[tuple[str, Record]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels, and weights: half the mass to each class, split equally among the sets."""
    x = np.array([[r.gate[f] if f in USED else 0.0 for f in FEATURES] for _, r in rows], dtype=np.float64)
    y = np.array([r.answerable for _, r in rows], dtype=np.float64)
    cells: dict[tuple[str, bool], int] = defaultdict(int)
    for name, r in rows:
        cells[(name, r.answerable)] += 1
    per_class = {label: sum(1 for _, a in cells if a == label) for label in (True, False)}
    w = np.array([1.0 / (cells[(n, r.answerable)] * per_class[r.answerable]) for n, r in rows])
    return x, y, w / w.sum()


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, float]:
    """Weighted L2 logistic regression on standardised features, returned on the raw feature scale."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    beta = np.zeros(z.shape[1])
    penalty = np.diag([0.0] + [L2] * (z.shape[1] - 1))
    for _ in range(50):
        p = 1 / (1 + np.exp(-z @ beta))
        gradient = z.T @ (w * (p - y)) + penalty @ beta
        hessian = (z * (w * p * (1 - p))[:, None]).T @ z + penalty
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    weights = beta[1:] / scale
    return weights, float(beta[0] - (weights * mean).sum())


def rates(rows: list[tuple[str, Record]], answers: list[bool]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for name in sorted({n for n, _ in rows}):
        pos = [a for (n, r), a in zip(rows, answers, strict=True) if n == name and r.answerable]
        neg = [a for (n, r), a in zip(rows, answers, strict=True) if n == name and not r.answerable]
        out[name] = {"answerable": len(pos), "unanswerable": len(neg)}
        if pos:
            out[name]["answer_rate"] = round(sum(pos) / len(pos), 3)
        if neg:
            out[name]["decline_rate"] = round(1 - sum(neg) / len(neg), 3)
    return out


def balanced(rows: list[tuple[str, Record]], answers: list[bool]) -> float:
    """Mean answer rate (over sets with answerable questions) plus mean decline rate (over the others)."""
    per = rates(rows, answers).values()
    answer = [v["answer_rate"] for v in per if "answer_rate" in v]
    decline = [v["decline_rate"] for v in per if "decline_rate" in v]
    return float(np.mean(answer) + np.mean(decline))


def probabilities(rows: list[tuple[str, Record]], weights: np.ndarray, bias: float) -> np.ndarray:
    x, _, _ = matrix(rows)
    result: np.ndarray = 1 / (1 + np.exp(-(x @ weights + bias)))
    return result


def train(rows: list[tuple[str, Record]], floor: float) -> tuple[np.ndarray, float, float]:
    """Weights, bias and the probability cutoff with the best `balanced` value on `rows` among those that
    still answer at least `floor` of every set's answerable questions."""
    weights, bias = fit(*matrix(rows))
    p = probabilities(rows, weights, bias)
    cutoffs = np.round(np.arange(0.05, 0.96, 0.01), 2)

    def value(cutoff: float) -> float:
        answers = list(p >= cutoff)
        lowest = min(v.get("answer_rate", 1.0) for v in rates(rows, answers).values())
        return balanced(rows, answers) - (10.0 if lowest < floor else 0.0)

    return weights, bias, float(max(cutoffs, key=value))


def fold(record: Record) -> int:
    key = record.key or record.question
    return int(hashlib.sha1(key.encode()).hexdigest(), 16) % FOLDS


def cross_validated(rows: list[tuple[str, Record]], floor: float) -> list[bool]:
    """Each question judged by a model fitted without its fold (IDK-MRC folds by paragraph)."""
    answers = [False] * len(rows)
    for k in range(FOLDS):
        weights, bias, cutoff = train([row for row in rows if fold(row[1]) != k], floor)
        held = [i for i, row in enumerate(rows) if fold(row[1]) == k]
        p = probabilities([rows[i] for i in held], weights, bias)
        for i, value in zip(held, p, strict=True):
            answers[i] = bool(value >= cutoff)
    return answers


def show(part: str, rows: list[tuple[str, Record]], fitted: list[bool]) -> None:
    old = [r.gate["best"] >= MIN_EVIDENCE for _, r in rows]
    print(json.dumps({"part": part, "gate": f"cosine>={MIN_EVIDENCE}", **rates(rows, old)}))
    print(json.dumps({"part": part, "gate": "fitted", **rates(rows, fitted)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fit", nargs="+", help="NAME=records.jsonl to fit on")
    parser.add_argument("--test", nargs="*", default=[], help="NAME=records.jsonl to report only")
    parser.add_argument(
        "--floor", type=float, default=0.0, help="least answer rate on answerable questions, per set"
    )
    parser.add_argument("--features", nargs="*", default=list(FEATURES), choices=FEATURES)
    args = parser.parse_args()
    USED.intersection_update(args.features)
    rows = load(args.fit)
    seen = {r.question for _, r in rows}
    test = [row for row in load(args.test) if row[1].question not in seen]
    show(f"{FOLDS}-fold cross-validation", rows, cross_validated(rows, args.floor))
    weights, bias, cutoff = train(rows, args.floor)
    if test:
        show("test (never fitted on)", test, list(probabilities(test, weights, bias) >= cutoff))
    print("GATE_WEIGHTS = {")
    for feature, weight in zip(FEATURES, weights, strict=True):
        print(f'    "{feature}": {weight:.3f},')
    print("}")
    print(f"GATE_BIAS = {bias:.3f}\nGATE_CUTOFF = {cutoff:.2f}")


if __name__ == "__main__":
    main()
