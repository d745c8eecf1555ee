"""The answer engine's composition root: a question in, a verified `Answer` out.

retrieve (date-aware) -> score sentences -> evidence gate -> extractive selection or LLM generation ->
citation assembly -> framing, notices, "as of". Blocking; front ends call `answer` in a worker thread.
"""

from __future__ import annotations

import logging
import time
from datetime import date
from typing import Literal

from bot.answering import evidence, phrases
from bot.answering.citations import Statement, assemble, problems, strip_markers
from bot.answering.errors import InvalidQuestionError
from bot.answering.extractive import Pick, score_sentences, select
from bot.answering.generated import ChatEndpoint, GenerationError, attribute, build_prompt, is_refusal
from bot.answering.ports import Library
from bot.answering.recency import is_time_sensitive, newest_cited
from bot.answering.retrieval import Retriever
from bot.answering.sentence_vectors import PassageSentences, SentenceVectors
from bot.answering.settings import AnswerSettings, LLMSettings
from bot.answering.types import Answer
from bot.settings import BotSettings
from store.language import detect_language
from store.types import SearchFilters

logger = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
# Passages shown to the LLM: prompts are read at ~35 tokens/s on two cores, so every passage costs seconds.
GENERATED_PASSAGES = 5
REFUSED = "refused"  # sentinel: the LLM said the passages do not answer the question


class Answerer:
    def __init__(self, library: Library, answer: AnswerSettings, llm: LLMSettings | None = None) -> None:
        self._settings = answer
        self._library = library
        self._retriever = Retriever(library, answer.passages)
        self._vectors = SentenceVectors(library.embedder)
        self._gate = evidence.EvidenceGate(answer.min_evidence)
        generated = answer.mode == "generated" and llm is not None and bool(llm.base_url)
        self._endpoint = ChatEndpoint(llm) if generated and llm is not None else None

    def warm_up(self) -> int:
        """Embed the sentences of every brief ahead of questions (newest first); returns the briefs covered.

        Brief by brief, so a question asked meanwhile waits for one brief at most. With the store's on-disk
        cache this costs seconds after the first run, and the first answers are as fast as later ones.
        """
        briefs = self._library.list_briefs()
        for brief in briefs:
            self._vectors.of(self._library.passages_of(brief.id))
        logger.info("sentence vectors ready briefs=%s", len(briefs))
        return len(briefs)

    @property
    def mode(self) -> str:
        return "generated" if self._endpoint else "extractive"

    def answer(
        self,
        question: str,
        *,
        context: str | None = None,
        filters: SearchFilters | None = None,
        today: date | None = None,
    ) -> Answer:
        started = time.perf_counter()
        question = " ".join(question.split())
        lang = detect_language(question)
        if not question:
            raise InvalidQuestionError(phrases.empty_question(lang))
        if len(question) > MAX_QUESTION_CHARS:
            raise InvalidQuestionError(phrases.question_too_long(lang, MAX_QUESTION_CHARS))
        timings: dict[str, float] = {}

        retrieved = self._retriever.retrieve(question, context=context, filters=filters, today=today)
        timings["retrieve"] = time.perf_counter() - started
        mark = time.perf_counter()
        groups = self._vectors.of(retrieved.passages)
        asked = retrieved.intent.query or question
        # A follow-up ("and Google?") is judged together with what it follows, as it was retrieved.
        question_vector = self._vectors.embed_question(f"{context.strip()} {asked}" if context else asked)
        ranked = score_sentences(question, question_vector, groups, prefer_recent=retrieved.intent.recent)
        timings["sentences"] = time.perf_counter() - mark

        notices = [phrases.no_dated_briefs_notice(lang)] if retrieved.period_missed else []
        best = ranked[0].similarity if ranked else 0.0
        verdict = self._gate.judge(question, ranked, lang)
        if not verdict.answer:
            logger.info("abstained evidence=%.3f confidence=%.3f lang=%s", best, verdict.confidence, lang)
            answer = evidence.abstain(question, lang, retrieved.passages, self.mode, _join(notices))
            answer.timings = {**timings, "total": time.perf_counter() - started}
            answer.evidence = best
            answer.gate = verdict.signals
            return _logged(answer)

        mode: Literal["extractive", "generated"] = "extractive"
        statements: list[Statement] = []
        if self._endpoint is not None:
            mark = time.perf_counter()
            statements, failure = self._generate(question, lang, groups)
            timings["generate"] = time.perf_counter() - mark
            if failure is REFUSED:
                # The model read the passages and found no answer: an honest abstention, not quoted guesses.
                logger.info("generated answer declined evidence=%.3f lang=%s", best, lang)
                answer = evidence.abstain(question, lang, retrieved.passages, "generated", _join(notices))
                answer.timings = {**timings, "total": time.perf_counter() - started}
                answer.evidence = best
                return _logged(answer)
            mode = "generated" if statements else "extractive"
            notices += [failure] if failure else []
        if not statements:
            mark = time.perf_counter()
            statements = _statements(select(ranked, self._settings.max_sentences))
            timings["select"] = time.perf_counter() - mark

        mark = time.perf_counter()
        body, citations = assemble(statements)
        lines = [phrases.framing(lang), body] if mode == "extractive" else [body]
        if mode == "extractive":
            source_note = phrases.source_language_notice(lang, (c.brief.lang for c in citations))
            notices += [source_note] if source_note else []
        newest = newest_cited(citations)
        # Front ends show "as of" from the field, next to the sources (the console and Telegram alike).
        as_of = newest.isoformat() if newest and is_time_sensitive(question, retrieved.intent) else None
        answer = Answer(
            question, "\n".join(lines), citations, lang, False, mode, notice=_join(notices), as_of=as_of
        )
        timings["verify"] = time.perf_counter() - mark
        timings["total"] = time.perf_counter() - started
        answer.timings = timings
        answer.evidence = best
        answer.gate = verdict.signals
        for problem in problems(answer):  # assemble() guarantees these; a failure here is a bug worth seeing
            logger.error("citation check failed: %s", problem)
        return _logged(answer)

    def _generate(
        self, question: str, lang: str, groups: list[PassageSentences]
    ) -> tuple[list[Statement], str | None]:
        """The LLM's verified statements, or none and the notice that explains the quoted answer instead."""
        assert self._endpoint is not None
        groups = groups[:GENERATED_PASSAGES]
        system, user = build_prompt(question, lang, groups)
        try:
            reply = self._endpoint.reply(system, user)
        except GenerationError:
            return [], phrases.llm_fallback_notice(lang)
        statements = attribute(reply, groups, self._vectors)
        if not statements and is_refusal(reply):
            return [], REFUSED
        return statements, None if statements else phrases.llm_unverified_notice(lang)


def _statements(picks: list[Pick]) -> list[Statement]:
    # Sources carry their own bracketed footnotes ("[20]" in Wikipedia text); shown as is they would read as
    # citation markers, so they are removed from the displayed statement (the quote keeps them verbatim).
    return [Statement(strip_markers(p.sentence.text)[0], [(p.group.passage, p.sentence)]) for p in picks]


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
