"""Generated answers over the real HTTP path: llama-index's OpenAILike against a real llama.cpp server."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from bot import answer_words
from bot.answering.citations import problems
from bot.answering.engine import Answerer
from bot.answering.settings import AnswerSettings, LLMSettings
from bot.answering.types import AnswerProgress, NoticeCode
from harness.servers import free_port
from store.library import BriefLibrary
from tests.support.answers import ask

pytest.importorskip(
    "llama_index.llms.openai_like",
    reason="llama-index-llms-openai-like is not installed (pip install -e .[llm])",
)
pytestmark = pytest.mark.slow
UNVERIFIED = answer_words.EN.notices[NoticeCode.LLM_UNVERIFIED]
"""The notice of quoted sentences shown instead of the model's, as an English question reads it."""

GENERATED = AnswerSettings(mode="generated", passages=4)


def generated(library: BriefLibrary, base_url: str, timeout: float, **extra: object) -> Answerer:
    llm = LLMSettings.model_validate(
        {
            "base_url": base_url,
            "model": "local",
            "timeout": timeout,
            "max_tokens": 120,
            "temperature": 0.0,
            "max_passages": 2,
            **extra,
        }
    )
    return Answerer(library, GENERATED, llm)


def test_dead_endpoint_falls_back_to_a_quoted_answer(library: BriefLibrary) -> None:
    answerer = generated(library, f"http://127.0.0.1:{free_port()}/v1", timeout=5, context_window=4096)
    answer = ask(answerer, "why did OpenAI leave Scale AI?")
    assert answer.mode == "extractive" and not answer.abstained
    assert answer.notice is not None and "language model" in answer.notice
    assert answer.citations and problems(answer.answer) == []


@pytest.mark.llm
def test_local_model_streams_a_structured_reply_that_is_verified(library: BriefLibrary, llm_url: str) -> None:
    # The small model's facts are not to be trusted; what must hold is the protocol: the server takes the
    # schema (llama-cpp-python's json_object form, after refusing json_schema), streams, and whatever is
    # shown at the end is verified or quoted with a notice.
    seen: list[AnswerProgress] = []
    answer = ask(
        generated(library, llm_url, timeout=600), "why did OpenAI leave Scale AI?", progress=seen.append
    )
    assert seen and seen[0].stage == "reading" and seen[0].briefs >= 1
    assert any(p.stage == "writing" and p.text for p in seen), "nothing streamed"
    assert answer.timings["first_token"] > 0
    assert not answer.abstained and answer.citations and problems(answer.answer) == []
    if answer.mode == "extractive":
        assert answer.notice is not None and UNVERIFIED in answer.notice
    for citation in answer.citations:
        assert citation.quote in citation.passage.text


@pytest.mark.llm
def test_timeout_falls_back_to_a_quoted_answer_with_a_notice(library: BriefLibrary, llm_url: str) -> None:
    answer = ask(
        generated(library, llm_url, timeout=0.05), "Mengapa OpenAI menghentikan kerja sama dengan Scale AI?"
    )
    assert answer.mode == "extractive" and answer.text.startswith("Menurut brief:")
    assert answer.notice is not None and "Model bahasa" in answer.notice
    assert problems(answer.answer) == []


@pytest.mark.llm
def test_the_local_server_answers_two_chats_at_once(llm_url: str) -> None:
    # Two groups asking in the same second: each reply must be whole (the server's default interrupts the
    # first request when the second arrives, and the first then comes back empty).
    def reply(word: str) -> str:  # streamed, as the engine asks
        body = {"model": "local", "temperature": 0.0, "max_tokens": 24, "stream": True,
                "messages": [{"role": "user", "content": f"Write the word {word} three times."}]}  # fmt: skip
        text = []
        with httpx.stream("POST", f"{llm_url}/chat/completions", json=body, timeout=300) as response:
            response.raise_for_status()
            for line in response.iter_lines():
                if line.startswith("data: {"):
                    delta = json.loads(line.removeprefix("data: "))["choices"][0]["delta"]
                    text.append(delta.get("content") or "")
        return "".join(text)

    with ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(reply, ["apple", "river"]))
    assert "apple" in replies[0].lower() and "river" in replies[1].lower()
