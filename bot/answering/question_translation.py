"""The asker's question in the language of the passages, by the configured LLM (generated mode only).

The reader reads a question over a passage in the same language better than across languages: on the seed
article, "What share of Scale AI does Meta hold?" reads 0.01 over its Indonesian passage and "Berapa persen
saham Scale AI yang dimiliki Meta?" 0.94. Where a language model is at hand anyway, one short call turns the
question into the passages' language and the reader reads both (`reading.merged`).

A small model asked to translate a question sometimes answers it instead ("When did hip hop music first
appear?" came back as "Hip hop musik pertama kali muncul pada tahun 1970."), and an answer read as the
question would find itself in any passage that repeats it. The prompt shows what a translation looks like,
and a reply that no longer reads as a question is not used.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from bot.answering.llm import ChatModel, GenerationError
from bot.answering.structured import first_json
from store.language import detect_language

logger = logging.getLogger(__name__)

# Translations kept per process: a question asked again (a retry, a button, another chat) costs no call.
CACHE_SIZE = 512
# A translation longer than this many times its question (plus a little) is an answer or an essay.
MAX_GROWTH = 2.5

_NAMES = {"en": "English", "id": "Indonesian (Bahasa Indonesia)"}
# Three worked examples per direction, in the JSON the reply must take. Without them (and asked to translate
# "the user's question"), the 1.5B model answered 8 of the first 16 IDK-MRC tune questions instead.
_EXAMPLES = {
    "id": [
        ("Who is the chief executive of XLSmart?", "Siapa direktur utama XLSmart?"),
        ("How much did the company earn last year?", "Berapa pendapatan perusahaan itu tahun lalu?"),
        ("Why did the bank raise its interest rate?", "Mengapa bank itu menaikkan suku bunganya?"),
    ],
}
_EXAMPLES["en"] = [(target, source) for source, target in _EXAMPLES["id"]]


def prompt(target: str) -> str:
    """The system prompt that turns a question into `target` ("en" or "id")."""
    source = "en" if target == "id" else "id"
    examples = "\n".join(f'Question: {q}\n{{"question": "{t}"}}' for q, t in _EXAMPLES[target])
    return (
        f"You translate questions from {_NAMES[source]} into {_NAMES[target]}. You never answer them. Keep "
        'names and numbers exactly as written. Reply with JSON: {"question": "<the same question in '
        f'{_NAMES[target]}>"}}.\nExamples:\n{examples}'
    )


SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"question": {"type": "string"}},
    "required": ["question"],
}


def usable(translation: str, question: str, target: str) -> bool:
    """Whether a reply still reads as the question, in `target`: not empty, not much longer, still asking
    (a question mark kept where the question had one) and in the target language."""
    text = translation.strip()
    if not text or text.casefold() == question.strip().casefold():
        return False
    if len(text) > MAX_GROWTH * len(question) + 20:
        return False
    if question.rstrip().endswith("?") and not text.endswith("?"):
        return False
    return detect_language(text) in (target, "und")


class QuestionTranslator:
    """Questions into a passage language through `model`; None when the reply cannot be used."""

    def __init__(self, model: ChatModel) -> None:
        self._model = model
        # Per instance. Failures are kept too: an unusable reply comes back the same at temperature 0, and an
        # unreachable model is not asked again for that question (it is read as asked).
        self._cached = functools.lru_cache(maxsize=CACHE_SIZE)(self._ask)

    def translate(self, question: str, target: str) -> str | None:
        if target not in _NAMES:
            return None
        return self._cached(question, target)

    def _ask(self, question: str, target: str) -> str | None:
        try:
            reply = "".join(self._model.stream(prompt(target), f"Question: {question}", SCHEMA))
        except GenerationError:
            return None  # the question is read as asked
        data = first_json(reply)
        text = data.get("question") if isinstance(data, dict) else None
        if not isinstance(text, str) or not usable(text, question, target):
            logger.info("question translation not used target=%s chars=%s", target, len(reply))
            return None
        return text.strip()
