"""A real `chroma run` on 127.0.0.1 that a test or benchmark starts, stops (an outage) and starts again."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from harness import NotInstalledError
from harness.servers import free_port, stop_process


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
                raise NotInstalledError("the chroma CLI is not installed")
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
        stop_process(self._proc, timeout=20)
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
