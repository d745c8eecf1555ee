"""Providers at their HTTP boundary: llama-index's clients against hand-written servers (no network)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from bot.answering.llm import ChatModel, GenerationError, reported_context_window
from bot.answering.settings import LLMSettings
from bot.answering.structured import schema
from tests.bot.answering.fake_llm import AnthropicServer, ChatServer, OllamaServer

REPLY = json.dumps({"answer": [{"passages": [1], "sentence_in_english": "Meta paid US$14.3 billion."}],
                    "not_in_passages": False})  # fmt: skip
SCHEMA = schema("en", 2)


def settings(**values: object) -> LLMSettings:
    base = {"model": "local", "timeout": 30, "max_tokens": 64, "temperature": 0.0}
    return LLMSettings.model_validate({**base, **values})


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    server = ChatServer(REPLY, refuse_json_schema=500)
    yield server
    server.close()


def test_openai_like_falls_back_to_the_schema_form_the_server_accepts(chat_server: ChatServer) -> None:
    pytest.importorskip("llama_index.llms.openai_like")
    model = ChatModel(settings(base_url=chat_server.url))
    assert "".join(model.stream("system", "user", SCHEMA)) == REPLY
    forms = [(r.get("response_format") or {}).get("type") for r in chat_server.chats]
    assert forms == ["json_schema", "json_object"]  # llama-cpp-python's server refuses the first form
    assert chat_server.chats[-1]["response_format"]["schema"] == SCHEMA
    assert chat_server.chats[-1]["stream"] is True
    # Remembered: the next question goes straight to the form that worked.
    "".join(model.stream("system", "user", SCHEMA))
    assert chat_server.chats[-1]["response_format"]["type"] == "json_object" and len(chat_server.chats) == 3


def test_openai_style_400_leads_to_plain_prompting_when_nothing_structured_works() -> None:
    pytest.importorskip("llama_index.llms.openai_like")
    server = ChatServer(REPLY, refuse_json_schema=400)
    try:
        model = ChatModel(settings(base_url=server.url, structured="json_schema"))
        with pytest.raises(GenerationError):  # a fixed form is not second-guessed
            "".join(model.stream("s", "u", SCHEMA))
        model = ChatModel(settings(base_url=server.url, structured="none"))
        assert "".join(model.stream("s", "u", SCHEMA)) == REPLY
        assert "response_format" not in server.chats[-1]
    finally:
        server.close()


def test_context_window_comes_from_the_endpoint_when_it_reports_one() -> None:
    server = ChatServer(REPLY, models=[{"id": "qwen", "object": "model", "max_model_len": 32768}])
    try:
        assert reported_context_window(settings(base_url=server.url)) == 32768
        assert ChatModel(settings(base_url=server.url)).context_window() == 32768
        assert ChatModel(settings(base_url=server.url, context_window=2048)).context_window() == 2048
    finally:
        server.close()


def test_context_window_defaults_when_the_endpoint_says_nothing(chat_server: ChatServer) -> None:
    assert reported_context_window(settings(base_url=chat_server.url)) is None
    assert ChatModel(settings(base_url=chat_server.url)).context_window() == 4096


def test_ollama_streams_with_the_schema_as_format_and_reports_its_context() -> None:
    pytest.importorskip("llama_index.llms.ollama")
    server = OllamaServer(REPLY, context_length=32768)
    try:
        model = ChatModel(settings(provider="ollama", base_url=server.base, model="qwen2.5:1.5b"))
        assert model.context_window() == 32768
        assert "".join(model.stream("system", "user", SCHEMA)) == REPLY
        chat = next(r for r in server.requests if r["path"] == "/api/chat")
        assert chat["format"] == SCHEMA and chat["model"] == "qwen2.5:1.5b"
        assert chat["options"]["num_ctx"] == 32768 and chat["options"]["num_predict"] == 64
    finally:
        server.close()


def test_anthropic_streams_a_prompted_json_reply() -> None:
    pytest.importorskip("llama_index.llms.anthropic")
    server = AnthropicServer(REPLY)
    try:
        model = ChatModel(
            settings(
                provider="anthropic",
                base_url=server.base,
                model="claude-haiku-4-5",
                api_key="test-key",
            )
        )
        assert model.context_window() == 200000  # llama-index's table of Anthropic models
        assert "".join(model.stream("system", "user", SCHEMA)) == REPLY
        [request] = server.requests
        assert request["path"] == "/v1/messages" and request["stream"] is True
        assert request["system"] and "response_format" not in request
    finally:
        server.close()


def test_an_unreachable_endpoint_is_a_generation_error(chat_server: ChatServer) -> None:
    url = chat_server.url
    chat_server.close()
    with pytest.raises(GenerationError):
        "".join(ChatModel(settings(base_url=url, timeout=3, context_window=4096)).stream("s", "u", SCHEMA))
