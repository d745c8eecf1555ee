"""Errors the answer engine raises. Their messages are written to be shown to the asker as they are.

    AnswerError
    └── InvalidQuestionError     empty or overlong question (the message is in the asker's language)

Store errors (`store.errors.StoreError`) pass through unchanged; front ends map both in one place.
"""


class AnswerError(Exception):
    """Base class; the message is safe to show to a user."""


class InvalidQuestionError(AnswerError):
    """The question cannot be answered as written; the message says how to fix it."""
