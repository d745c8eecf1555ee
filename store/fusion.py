"""Fusing the dense and keyword rankings into one, as pure functions over candidate lists."""

from __future__ import annotations

from collections.abc import Mapping


def rrf(rankings: Mapping[str, tuple[list[str], float]], k: int) -> dict[str, float]:
    """Weighted reciprocal-rank fusion: each leg adds weight / (k + rank) for every candidate it ranked."""
    fused: dict[str, float] = {}
    for ids, weight in rankings.values():
        if weight <= 0:
            continue
        for rank, key in enumerate(ids, start=1):
            fused[key] = fused.get(key, 0.0) + weight / (k + rank)
    return fused


def score_sum(legs: Mapping[str, tuple[dict[str, float], float]]) -> dict[str, float]:
    """Weighted sum of per-leg min-max normalised scores; a leg that did not see a candidate adds 0."""
    fused: dict[str, float] = {}
    for scores, weight in legs.values():
        if weight <= 0 or not scores:
            continue
        low, high = min(scores.values()), max(scores.values())
        span = high - low
        for key, value in scores.items():
            norm = (value - low) / span if span > 0 else 1.0
            fused[key] = fused.get(key, 0.0) + weight * norm
    return fused


def keyword_weight(base: float, coverage: float, power: float) -> float:
    """Shrink the keyword leg when few question terms occur in the corpus (e.g. English over Indonesian)."""
    if power <= 0:
        return base
    return float(base * coverage**power)
