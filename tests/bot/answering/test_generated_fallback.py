"""Generated mode when the passages shown to the model yield no sentence to tie its reply to.

The model is a hand-written OpenAI-compatible server on 127.0.0.1 (deterministic, reached over real HTTP by
llama-index's OpenAILike); the library, embedder and sentence vectors are the real ones.
"""

from __future__ import annotations

import importlib.util
import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.answering import phrases
from bot.answering.citations import problems
from bot.answering.engine import GENERATED_PASSAGES, Answerer
from bot.answering.generated import attribute
from bot.answering.ports import Embedder
from bot.answering.sentence_vectors import SentenceVectors
from bot.answering.settings import AnswerSettings, LLMSettings
from store.library import BriefLibrary
from store.types import BriefInfo, Passage, SearchFilters

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("llama_index.llms.openai_like") is None,
        reason="llama-index-llms-openai-like is not installed (pip install -e .[llm])",
    ),
]

# Unmarked, and about the story the real passages tell: the engine has to look for support itself.
REPLY = "OpenAI stopped working with Scale AI after Meta took a large stake in it."


class ChatServer:
    """Answers every /v1/chat/completions request with `REPLY` and counts the requests."""

    def __init__(self) -> None:
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                server.requests += 1
                body = json.dumps(
                    {
                        "id": "chatcmpl-test",
                        "object": "chat.completion",
                        "created": 0,
                        "model": "local",
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": REPLY},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}/v1"
        threading.Thread(target=self._http.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    server = ChatServer()
    yield server
    server.close()


class BlankPassagesFirst:
    """The real library, except that every search starts with passages whose text holds no sentence (as many
    as the model is shown), the way a brief made only of whitespace-padded markup would come back."""

    def __init__(self, library: BriefLibrary) -> None:
        self._library = library

    @property
    def embedder(self) -> Embedder:
        return self._library.embedder

    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None) -> list[Passage]:
        found = self._library.search(query, k, filters)
        blanks = [replace(p, chunk_id=f"{p.chunk_id}-blank", text=" \n ") for p in found[:GENERATED_PASSAGES]]
        return blanks + found

    def list_briefs(self, scope: str | None = None) -> list[BriefInfo]:
        return self._library.list_briefs(scope)

    def passages_of(self, brief_id: str) -> list[Passage]:
        return self._library.passages_of(brief_id)


def test_reply_without_any_passage_sentence_falls_back_to_quotes(
    library: BriefLibrary, chat_server: ChatServer
) -> None:
    llm = LLMSettings(base_url=chat_server.url, model="local", timeout=30, max_tokens=64)
    answerer = Answerer(
        BlankPassagesFirst(library), AnswerSettings(mode="generated", passages=12, reader=False), llm
    )
    answer = answerer.answer("why did OpenAI leave Scale AI?")
    assert chat_server.requests == 1  # the model was asked: this is the generated path, not the gate's
    assert not answer.abstained and answer.mode == "extractive"
    assert answer.text.startswith("From the briefs:")
    assert answer.notice == phrases.llm_unverified_notice("en")
    assert answer.citations and problems(answer) == []
    assert all(not c.passage.chunk_id.endswith("-blank") for c in answer.citations)


def test_attribute_drops_a_reply_when_no_passage_has_sentences(library: BriefLibrary) -> None:
    vectors = SentenceVectors(library.embedder)
    passages = library.search("why did OpenAI leave Scale AI", k=2)
    groups = vectors.of([replace(p, chunk_id=f"{p.chunk_id}-blank", text="\n") for p in passages])
    assert all(not g.sentences for g in groups)
    assert attribute(f"{REPLY} [1]", groups, vectors) == []
