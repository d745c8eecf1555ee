"""Generated answers: passages in, verified statements out, with the text shown while it streams.

One question: choose the passages the context window holds -> ask for JSON statements with passage
numbers (`structured.py`, through `llm.py`) -> show sentences as they arrive -> read the reply tolerantly ->
statements not in the asker's language are translated once (a short second call) -> every statement is
verified against the passages it cites (`verify.py`) and dropped when it fails. The engine quotes the
briefs instead when nothing survives.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.answering.citations import Statement
from bot.answering.llm import ChatModel, GenerationError
from bot.answering.quantities import repair
from bot.answering.reading import Choice
from bot.answering.sentence_vectors import PassageSentences, SentenceVectors
from bot.answering.structured import (
    Draft,
    DraftStatement,
    Lead,
    build_prompt,
    parse,
    partial_sentences,
    plain_quotes,
    schema,
    translations,
)
from bot.answering.verify import Verifier, restore_names
from store.language import detect_language

logger = logging.getLogger(__name__)

# Tokens of instructions, schema and question around the passages, and characters per token of news text
# (Qwen2.5's tokenizer: ~4 for English, ~3.5 for Indonesian; 3 keeps a margin).
PROMPT_OVERHEAD_TOKENS = 400
CHARS_PER_TOKEN = 3.0

# What the small model gets wrong translating into a language, said in that translation prompt.
# "Bukan hanya OpenAI, Google juga ..." (not only OpenAI: Google too) came back from the 1.5B model as
# "Neither OpenAI nor Google ...": the verifier refuses the flipped polarity, and the fact is lost.
_TRANSLATION_HINTS = {"en": " 'Bukan hanya' and 'tidak hanya' mean 'not only'; they negate nothing."}

__all__ = ["Generation", "GenerationError", "Generator"]


@dataclass
class Generation:
    """What one call of the model produced (named apart from the engine's `types.Outcome`)."""

    statements: list[Statement] = field(default_factory=list)
    declined: bool = False
    failed: bool = False
    """No usable reply at all (unreachable, timed out, refused)."""
    dropped: Counter[str] = field(default_factory=Counter)
    """Statements dropped, by reason (unsupported, numbers, names, negation, opposite, language)."""
    translated: int = 0
    first_token: float | None = None
    """Seconds from the request to the first streamed text."""
    structured: bool = True


def fitting(groups: list[PassageSentences], context_window: int, max_tokens: int, most: int) -> int:
    """How many passages, in order, fit the context window beside the prompt and the reply (at least one)."""
    budget = context_window - max_tokens - PROMPT_OVERHEAD_TOKENS
    count = 0
    for group in groups[:most]:
        budget -= int(len(group.passage.text) / CHARS_PER_TOKEN) + 20
        if budget < 0:
            break
        count += 1
    return max(1, count)


def _leads(choices: list[Choice], groups: list[PassageSentences]) -> list[Lead]:
    numbers = {group.passage.chunk_id: number for number, group in enumerate(groups, 1)}
    return [
        Lead(numbers[c.read.passage.chunk_id], c.sentence.text, c.emphasis)
        for c in choices
        if c.read.passage.chunk_id in numbers
    ]


def _mended(translation: str, source: str, lang: str) -> str:
    """A translation with what the small model gets wrong put back from its source: numbers' scale and
    bound words, decimal points, names respelt by a letter or two."""
    return restore_names(repair(translation, source, lang), source)


def _same_language(text: str, lang: str) -> bool:
    found = detect_language(text)
    return lang not in ("id", "en") or found in (lang, "und")


class Generator:
    def __init__(self, model: ChatModel, vectors: SentenceVectors) -> None:
        self._model = model
        self._verifier = Verifier(vectors)

    def passages(self, groups: list[PassageSentences]) -> list[PassageSentences]:
        settings = self._model.settings
        window = self._model.context_window()
        return groups[: fitting(groups, window, settings.max_tokens, settings.max_passages)]

    def generate(
        self,
        question: str,
        lang: str,
        groups: list[PassageSentences],
        on_text: Callable[[str], None] | None = None,
        answering: list[Choice] | None = None,
    ) -> Generation:
        """`groups` as shown to the model (see `passages`); `on_text` gets the sentences so far;
        `answering`: the reader's answering sentences, pointed out to the model where their passage is
        shown."""
        generation = Generation()
        system, user = build_prompt(question, lang, groups, _leads(answering or [], groups))
        try:
            reply = self._stream(system, user, schema(lang, len(groups)), on_text, generation)
        except GenerationError:
            generation.failed = True
            return generation
        draft = parse(reply, lang)
        generation.structured = draft.structured
        if draft.declined:
            generation.declined = True
            return generation
        statements = self._in_language(draft, question, lang, generation)
        for statement in statements:
            verdict = self._verifier.verify(statement.text, statement.passages, groups)
            if verdict.statement is None:
                generation.dropped[verdict.reason or "unsupported"] += 1
                logger.info(
                    "dropped a generated statement reason=%s chars=%s", verdict.reason, len(statement.text)
                )
            else:
                if verdict.shortened:
                    logger.info("cut a reason its passage does not give from a generated statement")
                generation.statements.append(verdict.statement)
        logger.info(
            "generated statements=%s kept=%s dropped=%s structured=%s",
            len(draft.statements),
            len(generation.statements),
            dict(generation.dropped),
            draft.structured,
        )
        return generation

    def _stream(
        self,
        system: str,
        user: str,
        reply_schema: dict[str, Any],
        on_text: Callable[[str], None] | None,
        generation: Generation,
    ) -> str:
        started = time.perf_counter()
        buffer, shown = "", ""
        for delta in self._model.stream(system, user, reply_schema):
            if generation.first_token is None:
                generation.first_token = time.perf_counter() - started
            buffer += delta
            if on_text is not None:
                text = "\n".join(partial_sentences(buffer))
                if text and text != shown:
                    shown = text
                    on_text(text)
        return buffer

    def _in_language(
        self, draft: Draft, question: str, lang: str, generation: Generation
    ) -> list[DraftStatement]:
        """The draft's statements in the asker's language: others translated in one short call, or dropped."""
        foreign = [s for s in draft.statements if not _same_language(s.text, lang)]
        if not foreign:
            return draft.statements
        translated = self._translate([s.text for s in foreign], lang, question)
        result = []
        for statement in draft.statements:
            if statement not in foreign:
                result.append(statement)
                continue
            text = translated.get(statement.text)
            if text is not None:
                text = _mended(text, statement.text, lang)
            if text is None or not _same_language(text, lang):
                generation.dropped["language"] += 1
                continue
            generation.translated += 1
            result.append(DraftStatement(text, statement.passages))
        return result

    def translate_quotes(
        self, quotes: list[Statement], question: str, lang: str, groups: list[PassageSentences]
    ) -> list[Statement | None]:
        """`quotes` (sentences quoted from `groups`' passages) translated into `lang` in one short call, in
        order; None for each that did not come back or does not verify against the passage it was quoted from.

        The engine shows these when the model's own answer failed verification and the quotes are in
        another language than the question: the reader chose the sentences, the model only translates them.
        """
        translated = self._translate([q.text for q in quotes], lang, question)
        return [self._verified_translation(q, translated.get(q.text), lang, groups) for q in quotes]

    def _verified_translation(
        self, quote: Statement, text: str | None, lang: str, groups: list[PassageSentences]
    ) -> Statement | None:
        source = next((g for g in groups if g.passage.chunk_id == quote.support[0][0].chunk_id), None)
        if text is None or source is None:
            return None
        text = _mended(text, quote.text, lang)
        if not _same_language(text, lang):
            return None
        verdict = self._verifier.verify(text, [1], [source])
        if verdict.statement is None:
            logger.info("dropped a translated quote reason=%s chars=%s", verdict.reason, len(text))
        return verdict.statement

    def _translate(self, texts: list[str], lang: str, question: str) -> dict[str, str]:
        """`texts` in `lang`. The question they answer is given as context: alone, the 1.5B model rendered
        "mencabut kemitraannya" (to end its partnership) as "taking a stake"; the asker's own words for the
        same thing anchor the translation."""
        language = {"en": "English", "id": "Indonesian (Bahasa Indonesia)"}[lang]
        hint = _TRANSLATION_HINTS.get(lang, "")
        system = (
            f"Translate each sentence into {language}. Keep names and numbers exactly; translate scale "
            f"words (juta = million, miliar = billion, triliun = trillion).{hint} The sentences answer "
            f'the question "{question}": where a sentence means what the question says, use the question\'s '
            'words. Reply with JSON: {"translations": [...]}, one translation per sentence, in order.'
        )
        user = "\n".join(f"{n}. {plain_quotes(t)}" for n, t in enumerate(texts, 1))
        shape = {
            "type": "object",
            "properties": {
                "translations": {
                    "type": "array",
                    "items": {"type": "string"},
                    "minItems": len(texts),
                    "maxItems": len(texts),
                }
            },
            "required": ["translations"],
        }
        try:
            reply = "".join(self._model.stream(system, user, shape))
        except GenerationError:
            return {}
        return dict(zip(texts, translations(reply), strict=False))
