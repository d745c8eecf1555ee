"""Fixtures for the ingestion tests: sample files, the seed article, and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
# The shared folder sits beside the checkout (../shared), in development and in CI alike.
SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_59da566471c7c808.txt"


@pytest.fixture
def sample_folder() -> Path:
    """Good files of every supported format (read-only: copy it before changing anything)."""
    return DATA / "folder"


@pytest.fixture
def seed_text() -> str:
    if not SEED.exists():
        pytest.skip(f"seed article not available at {SEED}")
    return SEED.read_text(encoding="utf-8")


@dataclass
class Route:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    delay: float = 0.0


class WebServer:
    """A threaded http.server whose pages tests register by path; slow routes sleep before answering."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                route = routes.get(self.path)
                if route is None:
                    self.send_error(404, "Not Found")
                    return
                time.sleep(route.delay)
                try:
                    self.send_response(route.status)
                    self.send_header("Content-Type", route.content_type)
                    self.send_header("Content-Length", str(len(route.body)))
                    self.end_headers()
                    self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to do

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="session")
def _web_server() -> Iterator[WebServer]:
    server = WebServer()
    yield server
    server.close()


@pytest.fixture
def web(_web_server: WebServer) -> Iterator[WebServer]:
    """The session's server with a clean set of routes for this test."""
    _web_server.routes.clear()
    yield _web_server
    _web_server.routes.clear()
