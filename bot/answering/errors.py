"""Errors the answer engine raises; front ends turn them into words, each from its own text table.

    AnswerError
    └── InvalidQuestionError     empty, overlong or wordless question (`reason`, `length`, `limit`)

Store errors (`store.errors.StoreError`) pass through unchanged. `reason_of` names what went wrong with a
question for both kinds; each front end words that name from its own text table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from store.errors import IndexMissing, StoreError, StoreUnavailable

if TYPE_CHECKING:
    from bot.answering.question import Problem

Reason = Literal["empty", "too_long", "no_words", "unavailable", "not_indexed", "store_failed"]


@dataclass(frozen=True)
class ReasonTexts:
    """What every front end's text table words: one field per `Reason` (the engine itself writes none)."""

    empty: str
    too_long: str
    no_words: str
    unavailable: str
    not_indexed: str
    store_failed: str


class AnswerError(Exception):
    """Base class of the engine's own errors."""


class InvalidQuestionError(AnswerError):
    """The question cannot be answered as written: `reason` says why; `length` is the question's length and
    `limit` the longest accepted, both in characters."""

    def __init__(self, reason: Problem, length: int, limit: int) -> None:
        super().__init__(f"invalid question: {reason} ({length} characters, limit {limit})")
        self.reason: Problem = reason
        self.length = length
        self.limit = limit


def reason_of(exc: AnswerError | StoreError) -> Reason:
    """Why a question got no answer, as a key of the front ends' text tables."""
    if isinstance(exc, InvalidQuestionError):
        return exc.reason
    if isinstance(exc, StoreUnavailable):
        return "unavailable"
    if isinstance(exc, IndexMissing):
        return "not_indexed"
    return "store_failed"
