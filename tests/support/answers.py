"""Answers as users see them, for tests: an engine outcome worded as the front ends word it, and answers
built from the text a test wants shown.

The engine returns statements and codes (`bot.answering.types`); `shown` adds the text, bold ranges and
notice line every front end derives from them (`bot.answer_words`), so a test can assert on what a user
reads while reaching the engine's data (citations, timings, gate) through the same object.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot import answer_words
from bot.answering.types import (
    Answer,
    Answered,
    Citation,
    Declined,
    Line,
    Mode,
    Outcome,
    Range,
    expect_answer,
)
from store.types import BriefInfo


@dataclass(frozen=True)
class Shown:
    """An answer with the text, bold ranges and notice a user is shown; other attributes are the answer's."""

    answer: Answer
    text: str
    emphasis: list[Range]
    notice: str | None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.answer, name)


def shown(outcome: Outcome) -> Shown:
    """The outcome as a user reads it (`ValueError` for a refused or failed question)."""
    answer = expect_answer(outcome)
    text, emphasis = answer_words.body(answer)
    return Shown(answer, text, emphasis, answer_words.notice_line(answer))


def ask(answerer: Any, question: str, **options: Any) -> Shown:
    """`answerer.answer(question, **options)`, shown."""
    return shown(answerer.answer(question, **options))


_STATEMENT = re.compile(r"\s*(.*?)\s*((?:\[\d+\])+)\.?(?=\s|$)", re.DOTALL)


def answered(
    text: str,
    citations: list[Citation],
    lang: str = "en",
    *,
    question: str = "q?",
    as_of: str | None = None,
    bold: str | None = None,
) -> Answered:
    """The answer whose shown text is `text`: a first line that is the framing makes it quoted (extractive),
    otherwise it is the model's (generated); each statement ends with its markers ("It rose [1]." or "It
    rose. [1]"). `bold`: the answer phrase of the statement holding it."""
    words = answer_words.pick(lang)
    quoted = text.startswith(words.framing + "\n")
    body = text[len(words.framing) + 1 :] if quoted else text
    lines = []
    for match in _STATEMENT.finditer(body):
        statement, markers = match.group(1), [int(n) for n in re.findall(r"\d+", match.group(2))]
        at = statement.find(bold) if bold else -1
        emphasis = ((at, at + len(bold)),) if bold and at >= 0 else ()
        lines.append(Line(statement, tuple(markers), emphasis))
    mode: Mode = "extractive" if quoted else "generated"
    return Answered(
        question=question, lang=lang, mode=mode, lines=tuple(lines), citations=citations, as_of=as_of
    )


def declined(nearest: list[BriefInfo], lang: str = "en", *, question: str = "q?") -> Declined:
    return Declined(question=question, lang=lang, mode="extractive", nearest=nearest)
