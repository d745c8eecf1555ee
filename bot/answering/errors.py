"""Errors the answer engine raises; front ends turn them into words, each from its own text table.

    AnswerError
    └── InvalidQuestionError     empty, overlong or wordless question (`reason`, `limit`)

Store errors (`store.errors.StoreError`) pass through unchanged; front ends map both in one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.answering.question import Problem


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
