"""What the answer engine returns: the project's own types, independent of any front end.

    Outcome = Answered | Declined | InvalidQuestion | Failed

`Answered` and `Declined` share `Answer` (the data evaluation reads: citations, timings, evidence, gate).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
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
    """What a front end may show while a generated answer is on its way (the final outcome replaces it)."""

    stage: Literal["reading", "writing", "translating"]
    """reading: the model reads `briefs` briefs; writing: `text` holds the sentences streamed so far
    (unverified: the final answer keeps only those that pass verification); translating: what streamed did
    not hold up and the model translates the briefs' own sentences instead (what streamed is to go)."""
    briefs: int = 0
    text: str = ""


Mode = Literal["extractive", "generated"]
Range = tuple[int, int]
Problem = Literal["empty", "too_long", "no_words"]


class NoticeCode(StrEnum):
    """What an answer's reader should know besides its statements; each front end words it."""

    SOURCES_IN_OTHER_LANGUAGE = "sources_in_other_language"
    """Every quoted sentence is in `Notice.language`, not the question's."""
    SOME_SOURCES_IN_OTHER_LANGUAGE = "some_sources_in_other_language"
    """Some of the quoted sentences are in `Notice.language`."""
    LLM_FALLBACK = "llm_fallback"
    """The language model did not answer (in time): the statements are quoted instead."""
    LLM_UNVERIFIED = "llm_unverified"
    """The language model's statements did not pass verification: the statements are quoted instead."""
    TRANSLATED_QUOTES = "translated_quotes"
    """The language model's statements did not pass verification: the briefs' sentences, translated by it
    into the question's language (each verified against its passage), are shown instead."""
    NO_DATED_BRIEFS = "no_dated_briefs"
    """No brief falls in the period the question names: the closest matches are shown."""


@dataclass(frozen=True)
class Notice:
    code: NoticeCode
    language: str | None = None
    """The sources' language ("id", "en"), for the two source-language notices."""


@dataclass(frozen=True)
class Line:
    """One statement of an answer: its text without markers, the citation numbers it carries (1-3) and the
    ranges of its text holding the answer phrase (the reader's confident span), which front ends show bold."""

    text: str
    markers: tuple[int, ...]
    emphasis: tuple[Range, ...] = ()

    @property
    def marked(self) -> str:
        """The statement with its markers, as every front end shows it: "Meta bought Scale AI. [1][2]"."""
        return self.text + " " + "".join(f"[{n}]" for n in self.markers)


@dataclass(frozen=True, kw_only=True)
class Answer:
    """What the two outcomes with content share: an answer, or an honest abstention (built once by the
    engine, never changed after). The engine writes no prose: front ends word `lang`, `notices` and the
    abstention, each from its own tables (`bot/answer_words.py`)."""

    question: str
    lang: str
    """Language of the question ("id", "en", ...); front ends word the answer in it."""
    mode: Mode
    citations: list[Citation] = field(default_factory=list)
    """`citations[n-1]` is what every [n] marker of the statements refers to; empty when declined."""
    notices: tuple[Notice, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per stage: retrieve, sentences, select/generate, verify, total."""
    evidence: float | None = None
    """What the evidence gate compared: the reader's answerability of the best passage, or (without the
    reader) the cosine of the question and the best retrieved sentence."""
    gate: dict[str, float] = field(default_factory=dict)
    """The evidence gate's signals (`evidence.FEATURES`, or the reader's `reader`), for evaluation, logs."""

    @property
    def abstained(self) -> bool:
        return isinstance(self, Declined)


@dataclass(frozen=True, kw_only=True)
class Answered(Answer):
    """Statements from the briefs, each with its [n] markers."""

    lines: tuple[Line, ...]
    as_of: str | None = None
    """ISO date of the newest cited brief, for time-sensitive questions."""

    @property
    def quoted(self) -> bool:
        """The statements are sentences quoted from the briefs (front ends frame them as such), not the
        language model's."""
        return self.mode == "extractive"


@dataclass(frozen=True, kw_only=True)
class Declined(Answer):
    """The briefs do not answer the question."""

    nearest: list[BriefInfo] = field(default_factory=list)
    """The briefs that came closest, for the user to look at."""


@dataclass(frozen=True)
class InvalidQuestion:
    """The question cannot be asked as written: `reason` says why; `length` is the question's length and
    `limit` the longest accepted, both in characters."""

    reason: Problem
    length: int
    limit: int


class FailureCode(StrEnum):
    UNAVAILABLE = "unavailable"
    """The library cannot be reached right now (the Chroma server does not answer)."""
    NOT_INDEXED = "not_indexed"
    """Nothing is indexed yet, or the active collection is gone."""
    STORE_FAILED = "store_failed"
    """Any other store error (embedding mismatch, embedding backend, a lock held too long)."""
    LLM_FAILED = "llm_failed"
    """The language model failed where no quoted answer could stand in."""


@dataclass(frozen=True)
class Failed:
    """The question could not be answered for a reason of the library or the model (logged by the engine,
    never carried here as an exception's text)."""

    code: FailureCode


Outcome = Answered | Declined | InvalidQuestion | Failed
"""What `Answerer.answer` returns; front ends match on it."""


def expect_answer(outcome: Outcome) -> Answered | Declined:
    """The answer or abstention, for tools that cannot go on without one (evaluation, benchmarks); a refused
    or failed question raises `ValueError` there."""
    if isinstance(outcome, InvalidQuestion | Failed):
        raise ValueError(f"the question got no answer: {outcome}")
    return outcome
