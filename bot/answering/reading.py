"""Reader-driven answering: which retrieved passage answers, whether any does, and the sentence that says it.

The reader (bot/reader) reads the question with each of the top retrieved passages and returns an
answerability probability and answer spans. From that one pass come three decisions:
- the passage order a chat answer trusts (answerability, with a small prior for the retrieval rank);
- the evidence gate (answer only when the best passage is likely to answer; cut-offs per language pair);
- the statements: the sentence holding the best span of each answering passage, best first, and the span
  itself for emphasis.
If the model cannot load, `PassageReader.read` returns None (logged once) and the engine answers as before.
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from bot.answering.evidence import CROSS_LINGUAL_OFFSET
from bot.answering.extractive import freshness
from bot.reader.model import MODEL_DIR, Reader, ReaderUnavailableError, Reading, Span
from store.analysis import words
from store.sentences import Sentence, split_sentences
from store.types import Passage

logger = logging.getLogger(__name__)

# Calibrated on IDK-MRC valid and FacQA valid (Indonesian questions), the tune split of our English questions
# over IDK-MRC valid paragraphs, and SQuAD 2.0 dev's valid articles (English over English)
# (`python -m eval.reader_eval fit`); see docs/measurements.md.
# A passage answers when the reader's probability reaches the cut-off of its language pair: the lowest that
# still declines the reader issue's share of that pair's unanswerable valid questions plus 0.05 (70% for
# Indonesian questions, 65% for English ones), on a 0.01 grid. The reader retrained in the fourteenth session
# (English-over-English pairs) reads more decisively than the one before (most unanswerable questions under
# 0.01, most answerable ones over 0.9), so its cut-offs sit far lower than that one's 0.20 and 0.22; English
# over English passages has a cut-off of its own since then (before, the reader read every such pair at 0.85
# or more, and the shared same-language cut-off declined none of them).
ANSWER_CUTOFF_INDONESIAN = 0.03
ANSWER_CUTOFF_CROSS_LANGUAGE = 0.02
ANSWER_CUTOFF_ENGLISH = 0.13
# A passage read with the question translated into its language (generated mode, `question_translation.py`)
# answers when that reading reaches this cut-off, and only where the question as asked read at least
# TRANSLATED_NEEDS_ASKED there: passages unrelated to a question read 0.004-0.008 as asked, and a loose
# translation ("Berapa pendapatan Scale AI?" for "What was Scale AI's revenue last year?") can find an answer
# in one that the question as asked would not. Fitted as a pair on the valid sets (FacQA English valid, the
# IDK-MRC English tune split; `python -m eval.translated_reading score`): the most answerable questions
# answered from the right sentence, then the most unanswerable ones declined, then the lowest cut-off. Without
# the floor the translation cost 13 of 167 unanswerable declines there (of 268 questions); with it, one.
ANSWER_CUTOFF_TRANSLATED = 0.03
TRANSLATED_NEEDS_ASKED = 0.015
# Where the question as asked already reads this high over some passage, the translation is not asked for:
# it costs a model call of 2-8 s on two cores. Fitted on the valid sets (`eval.translated_reading score
# --decisive`, 479 questions translated): the lowest value on a 0.1 grid at which no valid decision changes
# (it skips 35% of the calls there); from 0.7 down, one tune question loses its right lead sentence.
ASKED_DECISIVE = 0.8
# The reader judges a passage it is shown; it was never shown collections with nothing on the subject, and
# there it can find a plausible "answer" (e.g. "what is the capital of Peru?" over tech briefs). So the
# question must first be on the collection's topic: its best passage cosine (the dense leg's, e5; corrected
# by the cross-lingual offset of evidence.py) must reach this floor. Over the sample briefs (2026-12-03) it
# kept all 42 answerable sample questions (lowest 0.857) and declined 94% of 120 foreign questions
# (IDK-MRC valid, Trans-SQuAD English) at 0.83; 0.82 is kept for margin (88% declined).
TOPIC_FLOOR = 0.82
# Logit cost per retrieval rank: retrieval already knows something about relevance.
RANK_PRIOR = 0.75
# On "latest" questions the newest brief gains this many logits: enough to lead among passages that answer,
# not enough to lift one that does not.
RECENCY_LOGIT = 2.0
# A further statement must come from a passage at least this likely to answer, relative to the best one.
FURTHER_RELATIVE = 0.8
FURTHER_MIN = 0.5
# Spans less probable than this are not emphasised (the sentence still leads). Fitted with the cut-offs
# (`eval.reader_eval fit`): the lowest probability at which the lead's top span holds the answer for 85% of
# the answerable valid questions it is shown for (shown for 60% of them). The reader of the eleventh to
# thirteenth sessions spread its span probability thinly (0.045 was its pick); the retrained one is surer.
EMPHASIS_MIN = 0.435
# Word overlap above which a further statement repeats one already chosen.
REPEAT_OVERLAP = 0.6


@dataclass(frozen=True)
class ReadPassage:
    passage: Passage
    rank: int
    """Position in retrieval order (0 = first)."""
    answerable: float
    """The reader's probability that this passage answers the question."""
    score: float
    """Logit used for ordering: the reader's answerability plus the rank prior."""
    spans: list[Span]
    translated: bool = False
    """Read with the question translated into the passage's language, not as asked."""


@dataclass(frozen=True)
class Choice:
    """One statement of an answer: a sentence of a passage, and the answer phrase inside it, if confident."""

    read: ReadPassage
    sentence: Sentence
    emphasis: str | None


class PassageReader:
    """Loads the reader on first use; a model that cannot load is reported once and then left alone."""

    def __init__(self, enabled: bool = True, model_dir: Path = MODEL_DIR) -> None:
        self._model_dir = model_dir
        self._reader: Reader | None = None
        self._failed = not enabled
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return self._load() is not None

    def _load(self) -> Reader | None:
        with self._lock:
            if self._reader is None and not self._failed:
                try:
                    self._reader = _shared_reader(self._model_dir)
                except ReaderUnavailableError as exc:
                    self._failed = True
                    logger.warning("reader unavailable, answering without it: %s", exc)
            return self._reader

    def raw(self, question: str, passages: list[Passage]) -> list[Reading]:
        """The reader's own output per passage, in the order given (evaluation); raises when unavailable."""
        reader = self._load()
        if reader is None:
            raise ReaderUnavailableError("the reader model is not available")
        return reader.read(question, [p.text for p in passages])

    def read(
        self, question: str, passages: list[Passage], *, translated: bool = False
    ) -> list[ReadPassage] | None:
        """The passages with the reader's verdicts, best first; None when the reader is unavailable.
        `translated`: `question` is the asker's question translated into the passages' language."""
        reader = self._load()
        if reader is None:
            return None
        try:
            readings = reader.read(question, [p.text for p in passages])
        except Exception:  # a failing run answers this question the old way rather than not at all
            logger.warning("reader failed on a question; answering without it", exc_info=True)
            return None
        reads = [
            ReadPassage(p, rank, r.answerable, r.logit - RANK_PRIOR * rank, r.spans, translated)
            for rank, (p, r) in enumerate(zip(passages, readings, strict=True))
        ]
        return sorted(reads, key=lambda r: -r.score)


_READERS: dict[Path, Reader] = {}
_READERS_LOCK = threading.Lock()


def _shared_reader(model_dir: Path) -> Reader:
    # One ONNX session per process and model: sessions are thread-safe and cost ~100 MB each.
    with _READERS_LOCK:
        if model_dir not in _READERS:
            _READERS[model_dir] = Reader(model_dir)
        return _READERS[model_dir]


def prefer_recent(reads: list[ReadPassage], question_lang: str) -> list[ReadPassage]:
    """For "latest" questions: the newest brief that answers leads (a year older counts as undated)."""
    fresh = freshness([r.passage for r in reads])
    boosted = [
        replace(r, score=r.score + RECENCY_LOGIT * fresh.get(r.passage.brief.id, 0.0))
        if answers(r, question_lang)
        else r
        for r in reads
    ]
    return sorted(boosted, key=lambda r: -r.score)


def confidence(reads: list[ReadPassage]) -> float:
    """The reader's probability that the most likely passage answers (logged as the answer's evidence)."""
    return max((r.answerable for r in reads), default=0.0)


def on_topic(passages: list[Passage], question_lang: str) -> bool:
    """Whether any retrieved passage is close enough in meaning to the question to be about its subject."""
    scores = [
        p.dense_score + (CROSS_LINGUAL_OFFSET if {question_lang, p.brief.lang} == {"id", "en"} else 0.0)
        for p in passages
        if p.dense_score is not None
    ]
    return not scores or max(scores) >= TOPIC_FLOOR


def cutoff(question_lang: str, passage_lang: str) -> float:
    """The gate's bar for one passage, per language pair: the reader reads each pair on its own scale."""
    if {question_lang, passage_lang} == {"id", "en"}:
        return ANSWER_CUTOFF_CROSS_LANGUAGE
    if question_lang == passage_lang == "en":
        return ANSWER_CUTOFF_ENGLISH
    return ANSWER_CUTOFF_INDONESIAN


def bar(read: ReadPassage, question_lang: str) -> float:
    """The cut-off `read` must reach to answer a question asked in `question_lang`."""
    return ANSWER_CUTOFF_TRANSLATED if read.translated else cutoff(question_lang, read.passage.brief.lang)


def answers(read: ReadPassage, question_lang: str) -> bool:
    return read.answerable >= bar(read, question_lang)


def needs_translation(asked: list[ReadPassage]) -> bool:
    """Whether reading the passages again with the question translated can change the answer: not once the
    question as asked reads `ASKED_DECISIVE` or more over one of them."""
    return max((r.answerable for r in asked), default=0.0) < ASKED_DECISIVE


def merged(asked: list[ReadPassage], translated: list[ReadPassage], question_lang: str) -> list[ReadPassage]:
    """Each passage's better reading, as asked or translated, best first.

    "Better" is the reading further above (or less far below) its own cut-off, in logits: the two readings
    are on different scales (a translated question reads like one asked in the passage's language, and the
    1.5B model's translations are loose, so the translated reading has a cut-off of its own). A passage that
    keeps its asked reading keeps its place in the order; one that takes its translated reading is placed as
    if its asked reading stood as far above the asked cut-off (passages in the asker's language, with a
    cut-off of their own, are not pushed down by the other language's lower one). `translated`
    may cover only some of the passages (those in another language than the question); ranks are `asked`'s.
    A translated reading counts only where the asked one reached `TRANSLATED_NEEDS_ASKED`.
    """
    other = {r.passage.chunk_id: r for r in translated}
    best = []
    for read in asked:
        candidates = [read]
        if read.passage.chunk_id in other and read.answerable >= TRANSLATED_NEEDS_ASKED:
            candidates.append(other[read.passage.chunk_id])
        chosen = max(candidates, key=lambda r: _margin(r, question_lang))
        if chosen is read:
            best.append(read)
            continue
        # On the asked reading's scale: the logit that would stand as far above the asked cut-off.
        score = _logit(bar(read, question_lang)) + _margin(chosen, question_lang) - RANK_PRIOR * read.rank
        best.append(replace(chosen, rank=read.rank, score=score))
    return sorted(best, key=lambda r: -r.score)


def _margin(read: ReadPassage, question_lang: str) -> float:
    return _logit(read.answerable) - _logit(bar(read, question_lang))


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def choose(reads: list[ReadPassage], question_lang: str, max_statements: int) -> list[Choice]:
    """The answering sentence of the best passage that passes the gate, then those of other passages that
    also answer; empty when none does (the engine then declines)."""
    chosen: list[Choice] = []
    for read in reads:
        if not answers(read, question_lang):
            continue
        if chosen and read.answerable < max(FURTHER_MIN, FURTHER_RELATIVE * chosen[0].read.answerable):
            continue
        choice = _choice(read)
        if choice is None or any(_repeats(choice, c) for c in chosen):
            continue
        chosen.append(choice)
        if len(chosen) >= max_statements:
            break
    return chosen


def _choice(read: ReadPassage) -> Choice | None:
    """The sentence holding the passage's most probable span (and the span, if confident enough to show)."""
    sentences = [s for s in split_sentences(read.passage.text) if not s.text.rstrip().endswith("?")]
    if not sentences:
        return None
    for span in read.spans:
        # A span across a sentence break counts where it ends, where the asked phrase tends to be
        # ("... sejak 1986 sampai 1996. Fasilitas ini berhenti beroperasi pada 23 Maret 2001"): on the valid
        # sets the end's sentence held the gold answer in 5 of 7 such spans, the start's in 1. The phrase
        # shown starts at that sentence's start.
        last = max(span.start, span.end - 1)
        sentence = next((s for s in sentences if s.start <= last < s.end), None)
        if sentence is None:
            continue
        phrase = read.passage.text[max(span.start, sentence.start) : span.end].strip()
        confident = span.probability >= EMPHASIS_MIN and 0 < len(phrase) < 0.8 * len(sentence.text)
        return Choice(read, sentence, phrase if confident else None)
    return None


def _repeats(choice: Choice, other: Choice) -> bool:
    if choice.sentence.text == other.sentence.text:
        return True
    if choice.emphasis and other.emphasis and choice.emphasis.lower() == other.emphasis.lower():
        return True
    mine, theirs = set(words(choice.sentence.text)), set(words(other.sentence.text))
    if not mine or not theirs:
        return False
    return len(mine & theirs) / min(len(mine), len(theirs)) >= REPEAT_OVERLAP
