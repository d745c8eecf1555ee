"""What the answer engine returns: the project's own types, independent of any front end."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from store.types import BriefInfo, Passage


@dataclass(frozen=True)
class Citation:
    """One numbered source of an answer: the passage and the exact text quoted from it."""

    number: int
    passage: Passage
    quote: str
    """Verbatim substring of `passage.text` that supports the statement(s) marked [number]."""
    quote_start: int
    """Offset of `quote` inside `passage.text`."""

    @property
    def brief(self) -> BriefInfo:
        return self.passage.brief


@dataclass(frozen=True)
class AnswerProgress:
    """What a front end may show while a generated answer is on its way (the final `Answer` replaces it)."""

    stage: Literal["reading", "writing"]
    """reading: the model reads `briefs` briefs; writing: `text` holds the sentences streamed so far
    (unverified: the final answer keeps only those that pass verification)."""
    briefs: int = 0
    text: str = ""


@dataclass(frozen=True)
class Answer:
    """An answer whose every [n] marker maps to `citations[n-1]`, or an honest abstention (built once by
    the engine, never changed after)."""

    question: str
    text: str
    """Answer text with [n] markers; plain text (front ends escape and format it)."""
    citations: list[Citation]
    lang: str
    """Language of the question ("id", "en", ...); the answer's framing uses it."""
    abstained: bool
    mode: Literal["extractive", "generated"]
    nearest: list[BriefInfo] = field(default_factory=list)
    """When abstaining: the briefs that came closest, for the user to look at."""
    notice: str | None = None
    """A note for the reader, e.g. that the quoted sentences are Indonesian, or that the LLM failed."""
    as_of: str | None = None
    """ISO date of the newest cited brief, for time-sensitive questions."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per stage: retrieve, sentences, select/generate, verify, total."""
    evidence: float | None = None
    """What the evidence gate compared: the reader's answerability of the best passage, or (without the
    reader) the cosine of the question and the best retrieved sentence."""
    emphasis: list[tuple[int, int]] = field(default_factory=list)
    """Character ranges of `text` holding the answer phrase of a statement (the reader's confident spans);
    front ends show them in bold."""
    gate: dict[str, float] = field(default_factory=dict)
    """The evidence gate's signals (`evidence.FEATURES`, or the reader's `reader`), for evaluation, logs."""
