"""A local llama.cpp server (llama-cpp-python's `llama_cpp.server`) with a packaged model, on a free port.

Used by the generated-answer measurement (`python -m eval.generated compare`) and the tests that need a
real LLM. `threads` is given for generation and prompt reading alike: the server's own default generates on
one thread, half of a two-core machine.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from harness.servers import free_port, stop_process

MODELS = Path(__file__).resolve().parent.parent / "models"
SMALL_MODEL = MODELS / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
MODEL = MODELS / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"


def _wait_until_serving(url: str, process: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited with code {process.returncode}")
        try:
            if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"llama_cpp.server did not answer on {url} within {seconds:.0f} s")


@contextmanager
def llama_server(model: Path, log: Path, *, n_ctx: int = 4096, threads: int = 2) -> Iterator[str]:
    """Base URL (".../v1") of a running server; it is stopped when the block ends."""
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
               "--port", str(port), "--n_ctx", str(n_ctx), "--n_threads", str(threads),
               "--n_threads_batch", str(threads),
               # Its default cuts the reply in flight short when another request arrives; two chats at once
               # then get an empty reply each other turn (docs/operations.md).
               "--interrupt_requests", "false"]  # fmt: skip
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_serving(url, process, seconds=180)
        yield url
    finally:
        stop_process(process, timeout=15)
