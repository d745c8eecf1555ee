"""Fit the evidence gate (bot/answering/evidence.py) on recorded gate signals; report it against the old gate.

    python eval/answers.py sample --work var/eval-gate/sample          # records with the gate's signals
    python eval/answers.py offtopic --data ../shared/data/idk_mrc --limit 100 --work var/eval-gate/sample
    python eval/answers.py offtopic --data ../shared/data/facqa --limit 100 --work var/eval-gate/sample
    python eval/answers.py idk --data ../shared/data/idk_mrc --limit 400 --work var/eval-gate/idk
    python eval/gate_fit.py sample=var/eval-gate/sample/records-sample-extractive.jsonl \\
        idk=var/eval-gate/idk/records-idk-extractive.jsonl \\
        offtopic=var/eval-gate/sample/records-offtopic-idk_mrc-extractive.jsonl \\
        offtopic=var/eval-gate/sample/records-offtopic-facqa-extractive.jsonl

A logistic regression (numpy, Newton steps, light L2) is fitted on the tune half of a hash split (IDK-MRC split
by paragraph, so its paraphrased questions never straddle the split), each (set, answerable) cell weighted
equally so the 15 unanswerable sample questions count as much as 200 off-topic ones. The probability cutoff
maximises the mean, over sets, of answer rate on answerable plus decline rate on unanswerable on that half.
The other half is reported for the old gate (cosine >= MIN_EVIDENCE) and the fitted one; the constants to
paste into evidence.py are printed last.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.answering.evidence import MIN_EVIDENCE  # noqa: E402
from bot.answering.gate_features import FEATURES  # noqa: E402
from eval.answers import Record, read_jsonl, tune_half  # noqa: E402

L2 = 0.01


def load(specs: list[str]) -> list[tuple[str, Record]]:
    rows = []
    for spec in specs:
        name, path = spec.split("=", 1)
        rows += [(name, Record(**row)) for row in read_jsonl(Path(path))]  # type: ignore[arg-type]
    return rows


def matrix(rows: list[tuple[str, Record]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.array([[r.gate[f] for f in FEATURES] for _, r in rows], dtype=np.float64)
    y = np.array([r.answerable for _, r in rows], dtype=np.float64)
    cells: dict[tuple[str, bool], int] = defaultdict(int)
    for name, r in rows:
        cells[(name, r.answerable)] += 1
    w = np.array([1.0 / cells[(name, r.answerable)] for name, r in rows])
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
    values = [v for per in rates(rows, answers).values() for k, v in per.items() if k.endswith("_rate")]
    return float(np.mean(values))


def probabilities(rows: list[tuple[str, Record]], weights: np.ndarray, bias: float) -> np.ndarray:
    x, _, _ = matrix(rows)
    result: np.ndarray = 1 / (1 + np.exp(-(x @ weights + bias)))
    return result


def main() -> None:
    rows = [row for row in load(sys.argv[1:]) if row[1].gate]
    tune = [row for row in rows if tune_half(row[1].key or row[1].question)]
    held = [row for row in rows if not tune_half(row[1].key or row[1].question)]
    weights, bias = fit(*matrix(tune))
    tune_p = probabilities(tune, weights, bias)
    cutoffs = np.round(np.arange(0.05, 0.96, 0.01), 2)
    cutoff = max(cutoffs, key=lambda c: balanced(tune, list(tune_p >= c)))
    held_p = probabilities(held, weights, bias)
    for name, part, p in (("tune", tune, tune_p), ("held-out", held, held_p)):
        old = [r.gate["best"] >= MIN_EVIDENCE for _, r in part]
        print(json.dumps({"half": name, "gate": f"cosine>={MIN_EVIDENCE}", **rates(part, old)}))
        print(json.dumps({"half": name, "gate": "fitted", **rates(part, list(p >= cutoff))}))
    print("GATE_WEIGHTS = {")
    for feature, weight in zip(FEATURES, weights, strict=True):
        print(f'    "{feature}": {weight:.3f},')
    print("}")
    print(f"GATE_BIAS = {bias:.3f}\nGATE_CUTOFF = {cutoff:.2f}")


if __name__ == "__main__":
    main()
