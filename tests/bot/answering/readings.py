"""Hand-built reader verdicts (`ReadPassage`) for the selection and merge rules' tests."""

from __future__ import annotations

from datetime import date

from bot.answering.reading import ReadPassage
from bot.reader.model import Span
from store.types import BriefInfo, Passage

TEXT = (
    "OpenAI ended its work with Scale AI this week. The company said the wind-down began six to twelve "
    "months ago. Scale AI declined to comment."
)


def passage(text: str = TEXT, brief: str = "b1") -> Passage:
    info = BriefInfo(
        id=brief,
        title=brief,
        source="Wire",
        url=None,
        published=date(2025, 6, 19),
        lang="en",
        scope="test",
        origin="test",
        content_hash=brief,
        chunk_count=1,
    )
    return Passage(f"{brief}-0", info, text, 0, len(text), 0, 1.0)


def read(text: str = TEXT, phrase: str = "six to twelve months", p: float = 0.9, *, answerable: float = 0.9,
         brief: str = "b1", rank: int = 0) -> ReadPassage:  # fmt: skip
    start = text.index(phrase)
    return ReadPassage(
        passage(text, brief), rank, answerable, 2.0 - rank, [Span(start, start + len(phrase), p)]
    )
