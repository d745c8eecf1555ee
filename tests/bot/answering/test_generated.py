"""Generated answers over the real HTTP path: llama-index's OpenAILike against a real llama.cpp server."""

from __future__ import annotations

import importlib.util

import pytest

from bot.answering.citations import problems
from bot.answering.engine import Answerer
from bot.answering.generated import attribute, is_refusal
from bot.answering.sentence_vectors import SentenceVectors
from bot.answering.settings import AnswerSettings, LLMSettings
from store.library import BriefLibrary
from tests.bot.answering.conftest import free_port

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("llama_index.llms.openai_like") is None,
        reason="llama-index-llms-openai-like is not installed (pip install -e .[llm])",
    ),
]

GENERATED = AnswerSettings(mode="generated", passages=4)


def generated(library: BriefLibrary, base_url: str, timeout: float) -> Answerer:
    llm = LLMSettings(base_url=base_url, model="local", timeout=timeout, max_tokens=120, temperature=0.0)
    return Answerer(library, GENERATED, llm)


def test_dead_endpoint_falls_back_to_a_quoted_answer(library: BriefLibrary) -> None:
    answerer = generated(library, f"http://127.0.0.1:{free_port()}/v1", timeout=5)
    answer = answerer.answer("why did OpenAI leave Scale AI?")
    assert answer.mode == "extractive" and not answer.abstained
    assert answer.notice is not None and "language model" in answer.notice
    assert answer.citations and problems(answer) == []


@pytest.mark.llm
def test_local_model_answer_has_verified_citations(library: BriefLibrary, llm_url: str) -> None:
    answer = generated(library, llm_url, timeout=600).answer("why did OpenAI leave Scale AI?")
    assert not answer.abstained and answer.citations
    assert answer.mode == "generated", answer.notice
    assert not answer.text.startswith("From the briefs:")  # the model's own words, not quoted sentences
    assert problems(answer) == []
    for citation in answer.citations:
        assert citation.quote in citation.passage.text
    assert answer.timings["generate"] > 0


@pytest.mark.llm
def test_timeout_falls_back_to_a_quoted_answer_with_a_notice(library: BriefLibrary, llm_url: str) -> None:
    answer = generated(library, llm_url, timeout=0.05).answer(
        "Mengapa OpenAI menghentikan kerja sama dengan Scale AI?"
    )
    assert answer.mode == "extractive" and answer.text.startswith("Menurut brief:")
    assert answer.notice is not None and "Model bahasa" in answer.notice
    assert problems(answer) == []


def test_reply_sentences_are_tied_to_the_passage_that_supports_them(library: BriefLibrary) -> None:
    passages = library.search("why did OpenAI leave Scale AI", k=3)
    unrelated = library.search("biaya MDR QRIS usaha mikro", k=1)
    vectors = SentenceVectors(library.embedder)
    groups = vectors.of(passages + unrelated)
    target = next(g for g in groups if len(g.sentences) > 1)
    wrong = len(groups)  # the QRIS passage: the marker a confused model might emit
    claim = target.sentences[1].text
    reply = f"{claim} [{wrong}] I don't know anything else. Penguins live in Antarctica and eat fish."
    statements = attribute(reply, groups, vectors)
    # The copied claim is kept and cited to its real passage despite the wrong marker; the refusal and the
    # claim no passage supports are dropped.
    assert len(statements) == 1
    (passage, sentence), *_ = statements[0].support
    assert passage.chunk_id == target.passage.chunk_id and sentence.text == claim


def test_a_model_that_finds_no_answer_is_recognised() -> None:
    assert is_refusal("The passages do not mention the capital of Peru.")
    assert is_refusal("Maaf, hal itu tidak disebutkan dalam brief.")
    assert not is_refusal("OpenAI ended its work with Scale AI [1]. It wanted specialised data [2].")
