"""The OpenAI-compatible backend against a small deterministic /v1/embeddings server on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from store.embedding.cache import CachedEmbedder
from store.embedding.factory import build_embedder
from store.embedding.openai_backend import OpenAIEmbedder
from store.errors import EmbeddingFailed
from store.settings import EmbeddingSettings

KEY = "sk-test-do-not-log-0123456789"


def fake_vector(text: str) -> list[float]:
    """Deterministic, unnormalised: letter counts of a, e, i, o, u and the length."""
    return [float(text.count(c)) for c in "aeiou"] + [float(len(text))]


class Handler(BaseHTTPRequestHandler):
    calls: ClassVar[list[dict[str, object]]] = []
    fail: ClassVar[bool] = False

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Handler.calls.append({"auth": self.headers.get("Authorization"), "n": len(body["input"])})
        if Handler.fail:
            self.send_response(503)
            self.end_headers()
            return
        rows = [{"index": i, "embedding": fake_vector(t)} for i, t in enumerate(body["input"])]
        payload = json.dumps({"data": list(reversed(rows)), "model": body["model"]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def endpoint() -> Iterator[str]:
    Handler.calls, Handler.fail = [], False
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v1"
    server.shutdown()
    server.server_close()


def settings(url: str, **extra: object) -> EmbeddingSettings:
    return EmbeddingSettings.model_validate(
        {
            "backend": "openai",
            "base_url": url,
            "model": "fake-embed",
            "api_key": KEY,
            "batch_size": 2,
            **extra,
        }
    )


def test_vectors_come_back_normalised_in_input_order(endpoint: str) -> None:
    embedder = build_embedder(settings(endpoint, cache=False), None)
    texts = ["aaa", "eeeee", "iou", "banana"]
    vectors = embedder.embed_passages(texts)
    assert embedder.name == "openai/fake-embed" and embedder.dim == 6
    expected = np.array([fake_vector(t) for t in texts], dtype=np.float32)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    assert np.allclose(vectors, expected, atol=1e-6)
    assert [c["n"] for c in Handler.calls if c["n"] != 1] == [2, 2]  # batched by batch_size
    assert all(c["auth"] == f"Bearer {KEY}" for c in Handler.calls)


def test_closing_the_cached_embedder_releases_the_http_client(endpoint: str, tmp_path: Path) -> None:
    embedder = build_embedder(settings(endpoint, cache=True), tmp_path)
    assert isinstance(embedder, CachedEmbedder) and isinstance(embedder.inner, OpenAIEmbedder)
    assert embedder.embed_passages(["aaa"]).shape == (1, 6)
    embedder.close()
    assert embedder.inner._client.is_closed  # no pooled connection left open to the endpoint


def test_endpoint_failure_is_a_clear_error_without_the_key(
    endpoint: str, caplog: pytest.LogCaptureFixture
) -> None:
    embedder = build_embedder(settings(endpoint, cache=False), None)
    Handler.fail = True
    with caplog.at_level(logging.DEBUG), pytest.raises(EmbeddingFailed, match="HTTP 503"):
        embedder.embed_queries(["hello"])
    assert KEY not in caplog.text


def test_unreachable_endpoint_is_reported_politely(caplog: pytest.LogCaptureFixture) -> None:
    embedder = build_embedder(settings("http://127.0.0.1:9/v1", cache=False), None)
    with caplog.at_level(logging.DEBUG), pytest.raises(EmbeddingFailed, match="cannot be reached"):
        embedder.embed_passages(["hello"])
    assert KEY not in caplog.text


def test_missing_configuration_says_what_to_set() -> None:
    with pytest.raises(EmbeddingFailed, match="BASE_URL"):
        build_embedder(EmbeddingSettings.model_validate({"backend": "openai"}), None)
