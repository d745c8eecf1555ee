"""The answer engine's composition root: a question in, an outcome out (`types.Outcome`).

retrieve (date-aware) -> score sentences -> evidence gate -> extractive selection or LLM generation ->
citation assembly -> notices (as codes), "as of". Blocking; front ends call `answer` in a worker thread and
word what comes back (the engine writes no prose).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.answering import evidence
from bot.answering.citations import Statement, assemble, problems, strip_markers
from bot.answering.dates import is_time_sensitive, newest_cited
from bot.answering.errors import failure_of
from bot.answering.extractive import score_sentences, select
from bot.answering.generated import Generator
from bot.answering.grounding import grounded
from bot.answering.llm import ChatModel, GenerationError
from bot.answering.ports import EngineLibrary
from bot.answering.question import follow_up, invalid, normalise
from bot.answering.question_translation import QuestionTranslator
from bot.answering.reading import (
    Choice,
    PassageReader,
    ReadPassage,
    choose,
    confidence,
    merged,
    needs_translation,
    on_topic,
    prefer_recent,
)
from bot.answering.retrieval import Retrieved, Retriever
from bot.answering.sentence_vectors import PassageSentences, SentenceVectors
from bot.answering.settings import AnswerSettings, LLMSettings
from bot.answering.types import (
    Answered,
    AnswerProgress,
    Declined,
    Failed,
    FailureCode,
    Mode,
    Notice,
    NoticeCode,
    Outcome,
)
from store.errors import StoreError
from store.language import detect_language
from store.sentences import Sentence
from store.types import BriefInfo, Passage, SearchFilters

logger = logging.getLogger(__name__)

NEAREST_BRIEFS = 3
ProgressCallback = Callable[[AnswerProgress], None]


@dataclass
class _Turn:
    """What one question carries through the engine: retrieval, notices for the reader, stage timings."""

    question: str
    lang: str
    retrieved: Retrieved
    started: float
    progress: ProgressCallback | None = None
    notices: list[Notice] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    status: int = 0
    """Briefs the last "reading" status named (0: none shown yet)."""

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Record the seconds the block takes as `stage` (the only place stage timings are taken)."""
        mark = time.perf_counter()
        yield
        self.timings[stage] = time.perf_counter() - mark

    def elapsed(self) -> dict[str, float]:
        """Every stage's seconds and the total so far."""
        return {**self.timings, "total": time.perf_counter() - self.started}


class Answerer:
    def __init__(
        self,
        library: EngineLibrary,
        answer: AnswerSettings,
        llm: LLMSettings | None = None,
        *,
        reader: PassageReader | None = None,
        chat_model: Any = None,
        gate: evidence.EvidenceGate | None = None,
    ) -> None:
        """`chat_model`: any llama-index LLM to generate with instead of the one `llm` describes; `gate`: the
        evidence gate of the path without the reader (evaluation records richer signals through it)."""
        self._settings = answer
        self._library = library
        self._retriever = Retriever(library, answer.passages)
        self._vectors = SentenceVectors(library.embedder)
        self._gate = gate or evidence.EvidenceGate(answer.min_evidence)
        self._reader = reader or PassageReader(answer.reader)
        llm = llm or LLMSettings.model_validate({})
        generated = answer.mode == "generated" and (llm.configured or chat_model is not None)
        model = ChatModel(llm, chat_model) if generated else None
        self._generator = Generator(model, self._vectors) if model else None
        self._translator = QuestionTranslator(model) if model and llm.translate_questions else None

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
    ) -> Outcome:
        """`progress` (generated mode): called from this thread with what can be shown meanwhile.

        A question that cannot be asked as written comes back as `InvalidQuestion`; a store error, or a
        language model that failed with nothing to stand in for it, as `Failed` (logged here, with the
        error's own message); anything else is a bug and raises."""
        started = time.perf_counter()
        question = normalise(question)
        refused = invalid(question, self._settings.max_question_chars)
        if refused is not None:
            return refused
        try:
            turn = self._retrieve(
                question, context=context, filters=filters, today=today, progress=progress, started=started
            )
            return _logged(self._finish(turn, self._draft(turn, context)))
        except StoreError as exc:
            logger.warning("question not answered error=%s reason=%s", type(exc).__name__, exc)
            return Failed(failure_of(exc))
        except GenerationError as exc:
            logger.warning("question not answered error=GenerationError reason=%s", exc)
            return Failed(FailureCode.LLM_FAILED)

    def _draft(self, turn: _Turn, context: str | None) -> _Draft:
        # A follow-up ("and Google?") is judged together with what it follows, as it was retrieved.
        judged = follow_up(turn.retrieved.intent.query or turn.question, context)
        passages = turn.retrieved.passages[: self._settings.reader_passages]
        with turn.timed("read"):
            reads = self._reader.read(judged, passages)
        if reads is not None:
            reads = self._read_translated(turn, judged, passages, reads)
            recent = turn.retrieved.intent.recent
            draft = self._draft_read(turn, prefer_recent(reads, turn.lang) if recent else reads)
            if draft.statements or not recent:
                return draft
            # "What is the latest on Scale AI?" asks for the news, not for a phrase a passage holds: the
            # reader (since its English-pairs epoch) reads such questions at 0.01-0.05 over the very briefs
            # that answer them. A recency question the reader declines is judged by the similarity path and
            # its gate, as every question was before the reader.
            return self._draft_similar(turn, judged)
        del turn.timings["read"]  # no reader: the similarity path's stages stand instead
        return self._draft_similar(turn, judged)

    def _read_translated(
        self, turn: _Turn, judged: str, passages: list[Passage], reads: list[ReadPassage]
    ) -> list[ReadPassage]:
        """`reads`, where the model can translate the question into the language of some of `passages`, merged
        with those passages read again with the translation (`reading.merged`): the reader reads a question
        in a passage's own language better than across languages. Unchanged when nothing is to translate, the
        question as asked already reads decisively, or the translation fails."""
        if self._translator is None or turn.lang not in ("en", "id") or not needs_translation(reads):
            return reads
        foreign = [p for p in passages if p.brief.lang in ("en", "id") and p.brief.lang != turn.lang]
        if not foreign:
            return reads
        target = foreign[0].brief.lang  # the other of the two languages
        with turn.timed("question_translation"):
            translation = self._translator.translate(judged, target)
        if translation is None:
            return reads
        with turn.timed("read_translated"):
            again = self._reader.read(translation, foreign, translated=True)
        if again is None:
            return reads
        logger.info("read with the question translated target=%s passages=%s", target, len(foreign))
        return merged(reads, again, turn.lang)

    def _retrieve(
        self,
        question: str,
        *,
        context: str | None,
        filters: SearchFilters | None,
        today: date | None,
        progress: ProgressCallback | None,
        started: float,
    ) -> _Turn:
        lang = detect_language(question)
        retrieved = self._retriever.retrieve(question, context=context, filters=filters, today=today)
        turn = _Turn(question, lang, retrieved, started, progress)
        turn.timings["retrieve"] = time.perf_counter() - started
        if self._generator is not None and retrieved.passages:
            # The status at once (retrieval takes a fraction of a second; reading and the model, seconds).
            self._status(turn, {p.brief.id for p in retrieved.passages[: self._settings.reader_passages]})
        if retrieved.period_missed:
            turn.notices.append(Notice(NoticeCode.NO_DATED_BRIEFS))
        return turn

    def _draft_read(self, turn: _Turn, reads: list[ReadPassage]) -> _Draft:
        """The reader's path: its gate, its passage order, its answering sentences (or the LLM's)."""
        sure = confidence(reads)
        signals = {"reader": sure}
        with turn.timed("select"):
            topical = on_topic(turn.retrieved.passages, turn.lang)
            choices = choose(reads, turn.lang, self._settings.max_sentences) if topical else []
        if not choices:  # no passage passes the gate with a sentence to quote
            logger.info("abstained reader=%.3f lang=%s", sure, turn.lang)
            return _Draft(sure, signals)
        picked = [_quoted(c.read.passage, c.sentence, c.emphasis) for c in choices]
        if self._generator is not None:
            # Only the answering passages: the statement shown must restate one of their chosen sentences
            # anyway, and every passage more is seconds of prompt on two cores and one more place for a small
            # model to find a sentence that is merely on the topic.
            answering = {c.read.passage.chunk_id: c.read.passage for c in choices}
            groups = self._vectors.of(list(answering.values()))
            generated = self._generated(turn, groups, sure, choices)
            if generated is not None:
                return _Draft(sure, signals, generated, "generated")
            translated = self._translated(turn, picked, groups)
            if translated:
                return _Draft(sure, signals, translated, "generated")
        return _Draft(sure, signals, picked)

    def _draft_similar(self, turn: _Turn, judged: str) -> _Draft:
        """Without the reader: sentences scored by embedding similarity and the fitted evidence gate."""
        with turn.timed("sentences"):
            groups = self._vectors.of(turn.retrieved.passages)
            question_vector = self._vectors.embed_question(judged)
            recent = turn.retrieved.intent.recent
            ranked = score_sentences(turn.question, question_vector, groups, prefer_recent=recent)
        best = ranked[0].similarity if ranked else 0.0
        verdict = self._gate.judge(turn.question, ranked, turn.lang)
        if not verdict.answer:
            logger.info(
                "abstained evidence=%.3f confidence=%.3f lang=%s", best, verdict.confidence, turn.lang
            )
            return _Draft(best, verdict.signals)
        if self._generator is not None:
            generated = self._generated(turn, groups, best)
            if generated is not None:
                return _Draft(best, verdict.signals, generated, "generated")
        with turn.timed("select"):
            chosen = select(ranked, self._settings.max_sentences)
        picked = [_quoted(p.group.passage, p.sentence) for p in chosen]
        return _Draft(best, verdict.signals, picked)

    def _generated(
        self,
        turn: _Turn,
        groups: list[PassageSentences],
        measure: float,
        choices: list[Choice] | None = None,
    ) -> list[Statement] | None:
        """The LLM's verified statements; None when they are not to be shown (the answer is quoted instead,
        with a notice) and [] when the model declined (the engine abstains).

        `choices`: the sentences the reader found answering; one kept statement must restate one of them
        (`grounding.py`) and leads, or the answer is quoted instead (a fluent answer built on sentences that
        do not answer the question is what verification exists to stop).
        """
        assert self._generator is not None
        generator, progress = self._generator, turn.progress
        with turn.timed("generate"):
            shown = generator.passages(groups)
            self._status(turn, {g.passage.brief.id for g in shown})
            on_text = (lambda text: progress(AnswerProgress("writing", text=text))) if progress else None
            generation = generator.generate(turn.question, turn.lang, shown, on_text, choices)
        if generation.first_token is not None:
            turn.timings["first_token"] = generation.first_token
        if generation.declined:
            # The model read the passages and found no answer: an honest abstention, not quoted guesses.
            logger.info("generated answer declined evidence=%.3f lang=%s", measure, turn.lang)
            return []
        statements = generation.statements
        if choices is not None:
            statements = grounded(statements, choices)
        if generation.failed:
            turn.notices.append(Notice(NoticeCode.LLM_FALLBACK))
        elif not statements:
            turn.notices.append(Notice(NoticeCode.LLM_UNVERIFIED))
        return statements or None

    def _translated(
        self, turn: _Turn, quotes: list[Statement], groups: list[PassageSentences]
    ) -> list[Statement]:
        """The quotes in the asker's language when the model answered but its answer did not hold up and the
        quotes are in another language: the model translates the reader's sentences, each verified against
        its passage. [] when that does not apply or the first quote's translation fails (quoted as is)."""
        assert self._generator is not None
        unverified = Notice(NoticeCode.LLM_UNVERIFIED)
        if unverified not in turn.notices or all(detect_language(q.text) == turn.lang for q in quotes):
            return []
        if turn.progress is not None:
            turn.progress(AnswerProgress("translating"))
        with turn.timed("translate"):
            translated = self._generator.translate_quotes(quotes, turn.question, turn.lang, groups)
        if translated[0] is None:  # the answering sentence itself must come through
            return []
        turn.notices[turn.notices.index(unverified)] = Notice(NoticeCode.TRANSLATED_QUOTES)
        return [t for t in translated if t is not None]

    def _status(self, turn: _Turn, briefs: set[str]) -> None:
        """Report "reading N briefs" (again only when N changed)."""
        if turn.progress is not None and turn.status != len(briefs):
            turn.status = len(briefs)
            turn.progress(AnswerProgress("reading", briefs=len(briefs)))

    def _finish(self, turn: _Turn, draft: _Draft) -> Answered | Declined:
        """The one answer of a turn: an abstention when the draft has no statements, else the statements with
        their citations; stage timings are closed here, once."""
        if not draft.statements:
            return Declined(
                mode="generated" if self.mode == "generated" else "extractive",
                nearest=nearest_briefs(turn.retrieved.passages),
                **_measured(turn, draft),
            )
        with turn.timed("verify"):
            lines, citations = assemble(draft.statements)
            if draft.mode == "extractive":
                # Quoted sentences keep the briefs' language; the model's statements are in the asker's.
                source_note = source_language(turn.lang, [c.brief.lang for c in citations])
                turn.notices += [source_note] if source_note else []
        newest = newest_cited(citations)
        # Front ends show "as of" from the field, next to the sources (the console and Telegram alike).
        timely = newest and is_time_sensitive(turn.question, turn.retrieved.intent)
        answer = Answered(
            mode=draft.mode,
            lines=tuple(lines),
            citations=citations,
            as_of=newest.isoformat() if newest and timely else None,
            **_measured(turn, draft),
        )
        for problem in problems(answer):  # assemble() guarantees these; a failure here is a bug worth seeing
            logger.error("citation check failed: %s", problem)
        return answer


def _measured(turn: _Turn, draft: _Draft) -> dict[str, Any]:
    """What an answer and an abstention both carry: the question, its language, notices, timings, gate."""
    return {
        "question": turn.question,
        "lang": turn.lang,
        "notices": tuple(turn.notices),
        "timings": turn.elapsed(),
        "evidence": draft.measure,
        "gate": draft.signals,
    }


def source_language(lang: str, source_langs: list[str]) -> Notice | None:
    """The notice that quoted sentences are in another language than the question (all or some of them)."""
    others = sorted({s for s in source_langs if s in ("id", "en") and s != lang})
    if lang not in ("id", "en") or not others:
        return None
    every = all(s == others[0] for s in source_langs)
    code = NoticeCode.SOURCES_IN_OTHER_LANGUAGE if every else NoticeCode.SOME_SOURCES_IN_OTHER_LANGUAGE
    return Notice(code, others[0])


@dataclass(frozen=True)
class _Draft:
    """What one path decided: the statements to show (none: abstain) and what the gate measured."""

    measure: float
    signals: dict[str, float]
    statements: list[Statement] = field(default_factory=list)
    mode: Mode = "extractive"


def nearest_briefs(passages: list[Passage], limit: int = NEAREST_BRIEFS) -> list[BriefInfo]:
    """Distinct briefs of the passages, in retrieval order: what an abstention lists."""
    seen: dict[str, BriefInfo] = {}
    for passage in passages:
        seen.setdefault(passage.brief.id, passage.brief)
    return list(seen.values())[:limit]


def _quoted(passage: Passage, sentence: Sentence, phrase: str | None = None) -> Statement:
    # Sources carry their own bracketed footnotes ("[20]" in Wikipedia text); shown as is they would read as
    # citation markers, so they are removed from the displayed statement (the quote keeps them verbatim), and
    # from the answer phrase the reader found in it, which is shown the same way.
    shown = strip_markers(phrase)[0] if phrase else None
    return Statement(strip_markers(sentence.text)[0], [(passage, sentence)], shown)


def build_answerer(answer: AnswerSettings, llm: LLMSettings, library: EngineLibrary) -> Answerer:
    """The answerer the settings ask for, over an open library."""
    return Answerer(library, answer, llm)


def _logged(answer: Answered | Declined) -> Answered | Declined:
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
