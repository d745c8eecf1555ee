"""Per-leg results of an evaluation run and their rendering as a console table, markdown and JSON."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from eval.metrics import dedupe, percentile, score_rankings

KS = (1, 5, 10)
MRR_K = 10


@dataclass(frozen=True)
class LegResult:
    leg: str
    queries: int
    recall: dict[int, float]
    mrr: float
    p50_ms: float
    p95_ms: float

    @classmethod
    def from_rankings(
        cls,
        leg: str,
        rankings: Mapping[str, Sequence[str]],
        qrels: Mapping[str, Collection[str]],
        latencies_ms: Sequence[float],
        any_hit: bool = False,
    ) -> LegResult:
        deduped = {q: dedupe(r) for q, r in rankings.items()}
        scores = score_rankings(deduped, qrels, ks=KS, mrr_k=MRR_K, any_hit=any_hit)
        return cls(
            leg=leg,
            queries=scores.queries,
            recall=scores.recall,
            mrr=scores.mrr,
            p50_ms=percentile(latencies_ms, 50) if latencies_ms else 0.0,
            p95_ms=percentile(latencies_ms, 95) if latencies_ms else 0.0,
        )

    def as_dict(self) -> dict[str, float | int | str]:
        out: dict[str, float | int | str] = {"leg": self.leg, "queries": self.queries}
        out.update({f"recall@{k}": round(v, 4) for k, v in self.recall.items()})
        out[f"mrr@{MRR_K}"] = round(self.mrr, 4)
        out["p50_ms"] = round(self.p50_ms, 1)
        out["p95_ms"] = round(self.p95_ms, 1)
        return out


def _cells(result: LegResult) -> list[str]:
    return [
        result.leg,
        str(result.queries),
        *(f"{result.recall[k]:.3f}" for k in KS),
        f"{result.mrr:.3f}",
        f"{result.p50_ms:.0f}",
        f"{result.p95_ms:.0f}",
    ]


HEADER = ["leg", "queries", *(f"R@{k}" for k in KS), f"MRR@{MRR_K}", "p50 ms", "p95 ms"]


def text_table(results: Sequence[LegResult]) -> str:
    rows = [HEADER, *(_cells(r) for r in results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    return "\n".join("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in rows)


def markdown_table(results: Sequence[LegResult]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(_cells(r)) + " |" for r in results]
    return "\n".join(lines)
