"""Fixtures for the ingestion tests: sample files, the seed article, and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.web import WebServer

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
