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
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from bot.answering.sentences import Sentence, split_sentences, words
from bot.reader.model import MODEL_DIR, Reader, ReaderUnavailableError, Reading, Span
from store.types import Passage

logger = logging.getLogger(__name__)

# Calibrated on IDK-MRC valid (Indonesian questions) and the tune split of our English questions over the
# same paragraphs (eval/reader_eval.py --calibrate); see docs/measurements.md. Probabilities of the best
# passage, after the rank prior, below which the engine declines.
ANSWER_CUTOFF_SAME_LANGUAGE = 0.5
ANSWER_CUTOFF_CROSS_LANGUAGE = 0.5
# Logit cost per retrieval rank: retrieval already knows something about relevance.
RANK_PRIOR = 0.3
# On "latest" questions the newest brief gains this many logits: enough to lead among passages that answer,
# not enough to lift one that does not.
RECENCY_LOGIT = 2.0
# A further statement must come from a passage at least this likely to answer, relative to the best one.
FURTHER_RELATIVE = 0.8
FURTHER_MIN = 0.5
# Spans less probable than this are not emphasised (the sentence still leads).
EMPHASIS_MIN = 0.25
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


@dataclass(frozen=True)
class Choice:
    """One statement of an answer: a sentence of a passage, and the answer phrase inside it, if confident."""

    read: ReadPassage
    sentence: Sentence
    emphasis: str | None


class PassageReader:
    """Loads the reader on first use; a model that cannot load is reported once and then left alone."""

    def __init__(self, enabled: bool = True, model_dir: Path = MODEL_DIR) -> None:
        self._enabled = enabled
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

    def read(self, question: str, passages: list[Passage]) -> list[ReadPassage] | None:
        """The passages with the reader's verdicts, best first; None when the reader is unavailable."""
        reader = self._load()
        if reader is None:
            return None
        readings = reader.read(question, [p.text for p in passages])
        reads = [
            ReadPassage(p, rank, r.answerable, r.logit - RANK_PRIOR * rank, r.spans)
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


def prefer_recent(reads: list[ReadPassage]) -> list[ReadPassage]:
    """For "latest" questions: the newest answering brief leads (a year older counts as undated)."""
    dated = [r.passage.brief.published for r in reads if r.passage.brief.published]
    if not dated:
        return reads
    newest = max(dated)

    def fresh(read: ReadPassage) -> float:
        day = read.passage.brief.published
        return max(0.0, 1.0 - (newest - day).days / 365) if day else 0.0

    boosted = [replace(r, score=r.score + RECENCY_LOGIT * fresh(r)) for r in reads]
    return sorted(boosted, key=lambda r: -r.score)


def confidence(reads: list[ReadPassage]) -> float:
    """The gate's measure: the reader's probability that the most likely passage answers."""
    return max((r.answerable for r in reads), default=0.0)


def cutoff(question_lang: str, passage_lang: str) -> float:
    same = question_lang == passage_lang or bool({question_lang, passage_lang} - {"id", "en"})
    return ANSWER_CUTOFF_SAME_LANGUAGE if same else ANSWER_CUTOFF_CROSS_LANGUAGE


def choose(reads: list[ReadPassage], max_statements: int) -> list[Choice]:
    """The answering sentence of the best passage first, then those of other passages that also answer."""
    if not reads:
        return []
    chosen: list[Choice] = []
    best = reads[0].answerable
    for read in reads:
        if chosen and (read.answerable < max(FURTHER_MIN, FURTHER_RELATIVE * best)):
            continue
        choice = _choice(read)
        if choice is None or any(_repeats(choice, c) for c in chosen):
            continue
        chosen.append(choice)
        if len(chosen) >= max_statements:
            break
    return chosen


def _choice(read: ReadPassage) -> Choice | None:
    sentences = [s for s in split_sentences(read.passage.text) if not s.text.rstrip().endswith("?")]
    if not sentences:
        return None
    for span in read.spans:
        covering = [s for s in sentences if s.start < span.end and span.start < s.end]
        if not covering:
            continue
        start, end = covering[0].start, covering[-1].end
        text = read.passage.text[start:end]
        phrase = read.passage.text[span.start : span.end].strip()
        emphasis = phrase if span.probability >= EMPHASIS_MIN and 0 < len(phrase) < 0.8 * len(text) else None
        return Choice(read, Sentence(text, start, end), emphasis)
    return Choice(read, sentences[0], None)


def _repeats(choice: Choice, other: Choice) -> bool:
    if choice.sentence.text == other.sentence.text:
        return True
    if choice.emphasis and other.emphasis and choice.emphasis.lower() == other.emphasis.lower():
        return True
    mine, theirs = set(words(choice.sentence.text)), set(words(other.sentence.text))
    if not mine or not theirs:
        return False
    return len(mine & theirs) / min(len(mine), len(theirs)) >= REPEAT_OVERLAP
