"""The answer engine's composition root: a question in, a verified `Answer` out.

retrieve (date-aware) -> score sentences -> evidence gate -> extractive selection or LLM generation ->
citation assembly -> framing, notices, "as of". Blocking; front ends call `answer` in a worker thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from bot.answering import evidence, phrases
from bot.answering.citations import Statement, assemble, problems, strip_markers
from bot.answering.emphasis import locate
from bot.answering.errors import InvalidQuestionError
from bot.answering.extractive import Pick, score_sentences, select
from bot.answering.generated import Generator
from bot.answering.llm import ChatModel
from bot.answering.ports import Library
from bot.answering.reading import (
    Choice,
    PassageReader,
    ReadPassage,
    answers,
    choose,
    confidence,
    on_topic,
    prefer_recent,
)
from bot.answering.recency import is_time_sensitive, newest_cited
from bot.answering.retrieval import Retrieved, Retriever
from bot.answering.sentence_vectors import PassageSentences, SentenceVectors
from bot.answering.settings import AnswerSettings, LLMSettings
from bot.answering.types import Answer, Progress
from bot.settings import BotSettings
from store.language import detect_language
from store.sentences import Sentence
from store.types import Passage, SearchFilters

logger = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
ProgressCallback = Callable[[Progress], None]


@dataclass
class _Turn:
    """What one question carries through the engine: retrieval, notices for the reader, stage timings."""

    question: str
    lang: str
    retrieved: Retrieved
    started: float
    progress: ProgressCallback | None = None
    notices: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    status: int = 0
    """Briefs the last "reading" status named (0: none shown yet)."""


class Answerer:
    def __init__(
        self,
        library: Library,
        answer: AnswerSettings,
        llm: LLMSettings | None = None,
        *,
        reader: PassageReader | None = None,
        chat_model: Any = None,
    ) -> None:
        """`chat_model`: any llama-index LLM to generate with instead of the one `llm` describes."""
        self._settings = answer
        self._library = library
        self._retriever = Retriever(library, answer.passages)
        self._vectors = SentenceVectors(library.embedder)
        self._gate = evidence.EvidenceGate(answer.min_evidence)
        self._reader = reader or PassageReader(answer.reader)
        llm = llm or LLMSettings.model_validate({})
        generated = answer.mode == "generated" and (llm.configured or chat_model is not None)
        self._generator = Generator(ChatModel(llm, chat_model), self._vectors) if generated else None

    def warm_up(self) -> int:
        """Embed the sentences of every brief ahead of questions (newest first); returns the briefs covered.

        Brief by brief, so a question asked meanwhile waits for one brief at most. With the store's on-disk
        cache this costs seconds after the first run, and the first answers are as fast as later ones.
        """
        briefs = self._library.list_briefs()
        if self._reader.available and self._generator is None:
            # The reader reads passages at question time and needs no sentence vectors; load it and stop.
            logger.info("reader ready briefs=%s", len(briefs))
            return len(briefs)
        for brief in briefs:
            self._vectors.of(self._library.passages_of(brief.id))
        logger.info("sentence vectors ready briefs=%s", len(briefs))
        return len(briefs)

    @property
    def mode(self) -> str:
        return "generated" if self._generator else "extractive"

    def answer(
        self,
        question: str,
        *,
        context: str | None = None,
        filters: SearchFilters | None = None,
        today: date | None = None,
        progress: ProgressCallback | None = None,
    ) -> Answer:
        """`progress` (generated mode): called from this thread with what can be shown meanwhile."""
        started = time.perf_counter()
        question = " ".join(question.split())
        lang = detect_language(question)
        if not question:
            raise InvalidQuestionError(phrases.empty_question(lang))
        if len(question) > MAX_QUESTION_CHARS:
            raise InvalidQuestionError(phrases.question_too_long(lang, MAX_QUESTION_CHARS))
        retrieved = self._retriever.retrieve(question, context=context, filters=filters, today=today)
        turn = _Turn(question, lang, retrieved, started, progress)
        turn.timings["retrieve"] = time.perf_counter() - started
        if self._generator is not None and retrieved.passages:
            # The status at once (retrieval takes a fraction of a second; reading and the model, seconds).
            self._status(turn, {p.brief.id for p in retrieved.passages[: self._settings.reader_passages]})
        if retrieved.period_missed:
            turn.notices.append(phrases.no_dated_briefs_notice(lang))
        asked = retrieved.intent.query or question
        # A follow-up ("and Google?") is judged together with what it follows, as it was retrieved.
        judged = f"{context.strip()} {asked}" if context else asked
        mark = time.perf_counter()
        reads = self._reader.read(judged, retrieved.passages[: self._settings.reader_passages])
        if reads is not None:
            reads = prefer_recent(reads, lang) if retrieved.intent.recent else reads
            turn.timings["read"] = time.perf_counter() - mark
            return _logged(self._answer_read(turn, reads))
        return _logged(self._answer_similar(turn, judged))

    def _answer_read(self, turn: _Turn, reads: list[ReadPassage]) -> Answer:
        """The reader's path: its gate, its passage order, its answering sentences (or the LLM's)."""
        sure = confidence(reads)
        mark = time.perf_counter()
        topical = on_topic(turn.retrieved.passages, turn.lang)
        choices = choose(reads, turn.lang, self._settings.max_sentences) if topical else []
        turn.timings["select"] = time.perf_counter() - mark
        if not choices:  # no passage passes the gate with a sentence to quote
            logger.info("abstained reader=%.3f lang=%s", sure, turn.lang)
            return self._abstain(turn, sure, {"reader": sure})
        statements: list[Statement] = []
        if self._generator is not None:
            answering = [c.read.passage for c in choices] + [r.passage for r in reads]
            groups = self._vectors.of(list({p.chunk_id: p for p in answering}.values()))
            judged = {r.passage.chunk_id for r in reads if answers(r, turn.lang)}
            statements, refused = self._generated(turn, groups, sure, judged)
            if refused:
                return self._abstain(turn, sure, {"reader": sure})
        mode: Literal["extractive", "generated"] = "generated" if statements else "extractive"
        picked = [_statement_of(c) for c in choices]
        answer = self._compose(turn, statements or picked, mode, sure)
        answer.gate = {"reader": sure}
        if not statements:
            shown = [(s.text, _shown_phrase(c.emphasis)) for s, c in zip(picked, choices, strict=True)]
            answer.emphasis = locate(answer.text, shown)
        return answer

    def _answer_similar(self, turn: _Turn, judged: str) -> Answer:
        """Without the reader: sentences scored by embedding similarity and the fitted evidence gate."""
        mark = time.perf_counter()
        groups = self._vectors.of(turn.retrieved.passages)
        question_vector = self._vectors.embed_question(judged)
        prefer_recent = turn.retrieved.intent.recent
        ranked = score_sentences(turn.question, question_vector, groups, prefer_recent=prefer_recent)
        turn.timings["sentences"] = time.perf_counter() - mark
        best = ranked[0].similarity if ranked else 0.0
        verdict = self._gate.judge(turn.question, ranked, turn.lang)
        if not verdict.answer:
            logger.info(
                "abstained evidence=%.3f confidence=%.3f lang=%s", best, verdict.confidence, turn.lang
            )
            return self._abstain(turn, best, verdict.signals)
        statements: list[Statement] = []
        if self._generator is not None:
            statements, refused = self._generated(turn, groups, best)
            if refused:
                return self._abstain(turn, best, verdict.signals)
        mode: Literal["extractive", "generated"] = "generated" if statements else "extractive"
        if not statements:
            mark = time.perf_counter()
            statements = _statements(select(ranked, self._settings.max_sentences))
            turn.timings["select"] = time.perf_counter() - mark
        answer = self._compose(turn, statements, mode, best)
        answer.gate = verdict.signals
        return answer

    def _generated(
        self,
        turn: _Turn,
        groups: list[PassageSentences],
        measure: float,
        answering: set[str] | None = None,
    ) -> tuple[list[Statement], bool]:
        """The LLM's verified statements (none: quote instead, with a notice), and whether it declined.

        `answering`: chunk ids of the passages the reader judged to answer; the kept statements must cite at
        least one of them, or the answer is quoted instead (a fluent answer built on passages that do not
        answer the question is what verification exists to stop).
        """
        assert self._generator is not None
        mark = time.perf_counter()
        shown = self._generator.passages(groups)
        self._status(turn, {g.passage.brief.id for g in shown})
        progress = turn.progress
        on_text = (lambda text: progress(Progress("writing", text=text))) if progress else None
        outcome = self._generator.generate(turn.question, turn.lang, shown, on_text)
        turn.timings["generate"] = time.perf_counter() - mark
        if outcome.first_token is not None:
            turn.timings["first_token"] = outcome.first_token
        if outcome.declined:
            # The model read the passages and found no answer: an honest abstention, not quoted guesses.
            logger.info("generated answer declined evidence=%.3f lang=%s", measure, turn.lang)
            return [], True
        statements = outcome.statements
        cited = {p.chunk_id for s in statements for p, _ in s.support}
        if answering is not None and not cited & answering:
            statements = []
        if outcome.failed:
            turn.notices.append(phrases.llm_fallback_notice(turn.lang))
        elif not statements:
            turn.notices.append(phrases.llm_unverified_notice(turn.lang))
        return statements, False

    def _status(self, turn: _Turn, briefs: set[str]) -> None:
        """Report "reading N briefs" (again only when N changed)."""
        if turn.progress is not None and turn.status != len(briefs):
            turn.status = len(briefs)
            turn.progress(Progress("reading", briefs=len(briefs)))

    def _abstain(self, turn: _Turn, measure: float, gate: dict[str, float] | None = None) -> Answer:
        answer = evidence.abstain(
            turn.question, turn.lang, turn.retrieved.passages, self.mode, _join(turn.notices)
        )
        answer.timings = {**turn.timings, "total": time.perf_counter() - turn.started}
        answer.evidence = measure
        answer.gate = gate or {}
        return answer

    def _compose(
        self,
        turn: _Turn,
        statements: list[Statement],
        mode: Literal["extractive", "generated"],
        measure: float,
    ) -> Answer:
        mark = time.perf_counter()
        body, citations = assemble(statements)
        lines = [phrases.framing(turn.lang), body] if mode == "extractive" else [body]
        if mode == "extractive":
            source_note = phrases.source_language_notice(turn.lang, (c.brief.lang for c in citations))
            turn.notices += [source_note] if source_note else []
        newest = newest_cited(citations)
        # Front ends show "as of" from the field, next to the sources (the console and Telegram alike).
        timely = newest and is_time_sensitive(turn.question, turn.retrieved.intent)
        answer = Answer(
            turn.question,
            "\n".join(lines),
            citations,
            turn.lang,
            False,
            mode,
            notice=_join(turn.notices),
            as_of=newest.isoformat() if newest and timely else None,
        )
        turn.timings["verify"] = time.perf_counter() - mark
        answer.timings = {**turn.timings, "total": time.perf_counter() - turn.started}
        answer.evidence = measure
        for problem in problems(answer):  # assemble() guarantees these; a failure here is a bug worth seeing
            logger.error("citation check failed: %s", problem)
        return answer


def _statements(picks: list[Pick]) -> list[Statement]:
    # Sources carry their own bracketed footnotes ("[20]" in Wikipedia text); shown as is they would read as
    # citation markers, so they are removed from the displayed statement (the quote keeps them verbatim).
    return [_quoted(p.group.passage, p.sentence) for p in picks]


def _statement_of(choice: Choice) -> Statement:
    return _quoted(choice.read.passage, choice.sentence)


def _quoted(passage: Passage, sentence: Sentence) -> Statement:
    return Statement(strip_markers(sentence.text)[0], [(passage, sentence)])


def _shown_phrase(phrase: str | None) -> str | None:
    # Statements drop footnote markers and collapse spaces; the phrase is shown the same way.
    return strip_markers(phrase)[0] if phrase else None


def _join(notices: list[str]) -> str | None:
    return " ".join(notices) if notices else None


def build_answerer(settings: BotSettings, library: Library) -> Answerer:
    """The answerer the bot's settings ask for, over an open library."""
    return Answerer(library, settings.answer, settings.llm)


def _logged(answer: Answer) -> Answer:
    """Log one structured line per answer: stage timings for operators, never the question's text."""
    facts: dict[str, object] = {f"{stage}_s": round(seconds, 4) for stage, seconds in answer.timings.items()}
    facts.update(
        mode=answer.mode,
        lang=answer.lang,
        abstained=answer.abstained,
        citations=len(answer.citations),
        evidence=None if answer.evidence is None else round(answer.evidence, 3),
    )
    logger.info("answer ready", extra=facts)
    return answer
