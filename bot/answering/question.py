"""The one rule for what can be asked, and how a follow-up joins what it follows.

Every front end asks through the engine, which checks here once; a front end may check first (Telegram does,
to refuse before it spends a user's rate limit), with the same rule and the same setting.
"""

from __future__ import annotations

from bot.answering.types import InvalidQuestion, Problem


def normalise(question: str) -> str:
    """The question with its whitespace collapsed: what is checked, retrieved and recorded."""
    return " ".join(question.split())


def problem(question: str, limit: int) -> Problem | None:
    """Why `question` (normalised) cannot be asked, or None when it can."""
    if not question:
        return "empty"
    if len(question) > limit:
        return "too_long"
    if not any(ch.isalnum() for ch in question):
        return "no_words"
    return None


def invalid(question: str, limit: int) -> InvalidQuestion | None:
    """The outcome for a question (normalised) that cannot be asked, or None when it can."""
    reason = problem(question, limit)
    return None if reason is None else InvalidQuestion(reason, len(question), limit)


def follow_up(question: str, context: str | None) -> str:
    """A follow-up ("and Google?") with what it follows (a previous question, a replied-to message): what is
    searched and judged for it."""
    return f"{context.strip()} {question}" if context and context.strip() else question
