"""Ranking metrics, latency summaries and a separation score, as pure functions (numpy at most).

A ranking is the list of document ids a retriever returned, best first. Several chunks of one document may be
returned; callers collapse them to documents first (`dedupe`) so a document counts once, at its best rank.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np


def dedupe(ranking: Iterable[str]) -> list[str]:
    """Keep each id at its first (best) position."""
    seen: set[str] = set()
    out: list[str] = []
    for item in ranking:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def recall_at_k(ranking: Sequence[str], relevant: Collection[str], k: int) -> float:
    """Share of the relevant documents found in the top `k`."""
    if k < 1:
        raise ValueError("k must be at least 1")
    if not relevant:
        raise ValueError("a query without relevant documents cannot be scored")
    found = sum(1 for doc in dedupe(ranking)[:k] if doc in relevant)
    return found / len(relevant)


def hit_at_k(ranking: Sequence[str], relevant: Collection[str], k: int) -> float:
    """1 when any relevant document is in the top `k` (open-domain QA's "top-k accuracy"), else 0."""
    return 1.0 if reciprocal_rank_at_k(ranking, relevant, k) > 0 else 0.0


def reciprocal_rank_at_k(ranking: Sequence[str], relevant: Collection[str], k: int) -> float:
    """1 / rank of the first relevant document within the top `k`, 0 when none is there."""
    if k < 1:
        raise ValueError("k must be at least 1")
    for position, doc in enumerate(dedupe(ranking)[:k], start=1):
        if doc in relevant:
            return 1.0 / position
    return 0.0


@dataclass(frozen=True)
class RankingScores:
    queries: int
    recall: dict[int, float]
    """k -> mean Recall@k."""
    mrr: float
    mrr_k: int


def score_rankings(
    rankings: Mapping[str, Sequence[str]],
    qrels: Mapping[str, Collection[str]],
    ks: Sequence[int] = (1, 5, 10),
    mrr_k: int = 10,
    any_hit: bool = False,
) -> RankingScores:
    """Mean Recall@k for each k and MRR@mrr_k over every judged query (a missing ranking scores 0). With
    `any_hit`, "recall" is the share of queries with at least one relevant document in the top k, the
    reading that fits a question with several acceptable documents."""
    at_k = hit_at_k if any_hit else recall_at_k
    judged = [q for q, rel in qrels.items() if rel]
    if not judged:
        raise ValueError("no judged queries to score")
    recall = {k: sum(at_k(rankings.get(q, []), qrels[q], k) for q in judged) / len(judged) for k in ks}
    mrr = sum(reciprocal_rank_at_k(rankings.get(q, []), qrels[q], mrr_k) for q in judged) / len(judged)
    return RankingScores(queries=len(judged), recall=recall, mrr=mrr, mrr_k=mrr_k)


def percentile(values: Sequence[float], pct: float) -> float:
    """Linear-interpolated percentile (the same convention as numpy's default)."""
    if not values:
        raise ValueError("no values")
    if not 0 <= pct <= 100:
        raise ValueError("pct must be within 0..100")
    ordered = sorted(values)
    position = (len(ordered) - 1) * pct / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def roc_auc(scores: np.ndarray, answerable: np.ndarray) -> float:
    """The chance that an answerable question's score beats an unanswerable one's (ties count half).

    Here, not in `eval.reader_eval`, so that the GPU trainer (`training.train_gpu`) scores its runs the same
    way on a machine that has numpy but not the store's dependencies."""
    positives, negatives = scores[answerable], scores[~answerable]
    if not len(positives) or not len(negatives):
        return float("nan")
    wins = (positives[:, None] > negatives[None, :]).sum() + 0.5 * (
        positives[:, None] == negatives[None, :]
    ).sum()
    return float(wins / (len(positives) * len(negatives)))
