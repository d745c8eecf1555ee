"""Hand-written LLM servers on 127.0.0.1, deterministic, reached over real HTTP by llama-index's clients.

`ChatServer` speaks the OpenAI chat-completions API (JSON or server-sent events when `stream` is set), and can
refuse `response_format` of type json_schema the way llama-cpp-python's server does (HTTP 500 naming it) or an
OpenAI-style server does (HTTP 400). `OllamaServer` speaks Ollama's /api/chat (NDJSON stream) and /api/show;
`AnthropicServer` speaks the Messages API's event stream. Each records the request bodies it received.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Server:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.get(self)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                data = json.loads(body or b"{}")
                server.requests.append({"path": self.path, **data})
                server.post(self, data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self._http.server_address[1]}"
        threading.Thread(target=self._http.serve_forever, daemon=True).start()

    def get(self, handler: BaseHTTPRequestHandler) -> None:
        _send(handler, 404, {"error": "not found"})

    def post(self, handler: BaseHTTPRequestHandler, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()


def _send(handler: BaseHTTPRequestHandler, status: int, body: object) -> None:
    raw = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(raw)))
    handler.end_headers()
    handler.wfile.write(raw)


def _stream(handler: BaseHTTPRequestHandler, content_type: str, lines: list[str]) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", content_type)
    handler.end_headers()
    for line in lines:
        handler.wfile.write(line.encode())
        handler.wfile.flush()


def pieces(text: str, size: int = 7) -> list[str]:
    """The reply cut into small deltas, as a model streams it."""
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


class ChatServer(_Server):
    """OpenAI-compatible: answers every chat request with `reply(request)`."""

    def __init__(
        self,
        reply: str | Callable[[dict[str, Any]], str],
        *,
        refuse_json_schema: int | None = None,
        models: list[dict[str, Any]] | None = None,
    ) -> None:
        self.reply = reply
        self.refuse_json_schema = refuse_json_schema
        self.models = models or [{"id": "local", "object": "model"}]
        super().__init__()
        self.url = f"{self.base}/v1"

    @property
    def chats(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"].endswith("/chat/completions")]

    def get(self, handler: BaseHTTPRequestHandler) -> None:
        if handler.path.endswith("/models"):
            _send(handler, 200, {"object": "list", "data": self.models})
        else:
            _send(handler, 404, {"detail": "Not Found"})

    def post(self, handler: BaseHTTPRequestHandler, data: dict[str, Any]) -> None:
        form = (data.get("response_format") or {}).get("type")
        if form == "json_schema" and self.refuse_json_schema:
            message = "Input should be 'text' or 'json_object' (response_format.type)"
            _send(handler, self.refuse_json_schema, {"error": {"message": message}})
            return
        text = self.reply(data) if callable(self.reply) else self.reply
        if not data.get("stream"):
            message = {"role": "assistant", "content": text}
            choice = {"index": 0, "message": message, "finish_reason": "stop"}
            _send(handler, 200, {"id": "c", "object": "chat.completion", "created": 0, "model": "local",
                                 "choices": [choice]})  # fmt: skip
            return
        events = []
        for piece in pieces(text):
            delta = {"index": 0, "delta": {"content": piece}, "finish_reason": None}
            chunk = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "local",
                     "choices": [delta]}  # fmt: skip
            events.append(f"data: {json.dumps(chunk)}\n\n")
        done = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "local",
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}  # fmt: skip
        events += [f"data: {json.dumps(done)}\n\n", "data: [DONE]\n\n"]
        _stream(handler, "text/event-stream", events)


class OllamaServer(_Server):
    """Ollama's own API: /api/chat streams NDJSON, /api/show reports the model's context length."""

    def __init__(self, reply: str, context_length: int = 32768) -> None:
        self.reply = reply
        self.context_length = context_length
        super().__init__()

    def post(self, handler: BaseHTTPRequestHandler, data: dict[str, Any]) -> None:
        if handler.path == "/api/show":
            _send(handler, 200, {"model_info": {"qwen2.context_length": self.context_length}})
            return
        lines = [
            json.dumps({"model": data.get("model"), "created_at": "2026-01-01T00:00:00Z",
                        "message": {"role": "assistant", "content": piece}, "done": False}) + "\n"
            for piece in pieces(self.reply)
        ]  # fmt: skip
        lines.append(
            json.dumps({"model": data.get("model"), "created_at": "2026-01-01T00:00:00Z", "done": True,
                        "done_reason": "stop", "message": {"role": "assistant", "content": ""},
                        "prompt_eval_count": 10, "eval_count": 5}) + "\n"
        )  # fmt: skip
        _stream(handler, "application/x-ndjson", lines)


class AnthropicServer(_Server):
    """The Messages API (POST /v1/messages, stream: true) as server-sent events."""

    def __init__(self, reply: str) -> None:
        self.reply = reply
        super().__init__()

    def post(self, handler: BaseHTTPRequestHandler, data: dict[str, Any]) -> None:
        def event(name: str, body: dict[str, Any]) -> str:
            return f"event: {name}\ndata: {json.dumps({'type': name, **body})}\n\n"

        message = {"id": "msg_1", "type": "message", "role": "assistant", "model": data.get("model", "m"),
                   "content": [], "stop_reason": None, "stop_sequence": None,
                   "usage": {"input_tokens": 10, "output_tokens": 1}}  # fmt: skip
        events = [
            event("message_start", {"message": message}),
            event("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}}),
        ]
        events += [
            event("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": piece}})
            for piece in pieces(self.reply)
        ]
        events += [
            event("content_block_stop", {"index": 0}),
            event(
                "message_delta",
                {"delta": {"stop_reason": "end_turn", "stop_sequence": None}, "usage": {"output_tokens": 5}},
            ),
            event("message_stop", {}),
        ]
        _stream(handler, "text/event-stream", events)
