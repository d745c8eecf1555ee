"""Fixtures for the Telegram front end: an Application over fakes for unit tests, the Bot API emulator
(`harness.emulator`) and the real stack for end-to-end tests. Their types live in `tests.support.telegram`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.settings import BotSettings
from bot.telegram.app import build_application
from bot.telegram.services import BotApp
from harness.emulator import Emulator, start_emulator
from store.settings import StoreSettings
from tests.bot.telegram.fakes import FakeAnswerer, FakeLibrary, FakeTelegram
from tests.support.telegram import SAMPLE_BRIEFS, SAMPLE_COUNT, Harness, Stack, make_settings


@pytest.fixture
async def harness_factory(tmp_path: Path) -> AsyncIterator[Any]:
    apps: list[BotApp] = []

    async def make(runner: Any = None, **telegram: Any) -> Harness:
        tg, answerer, library = FakeTelegram(), FakeAnswerer(), FakeLibrary()
        settings = make_settings(tmp_path, **telegram)
        app = build_application(settings, library, answerer, request=tg, runner=runner)
        await app.initialize()
        apps.append(app)
        return Harness(app, tg, answerer, library)

    yield make
    for app in apps:
        await app.shutdown()


@pytest.fixture
async def harness(harness_factory: Any) -> Harness:
    h: Harness = await harness_factory()
    return h


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with start_emulator() as emu:
        yield emu


@pytest.fixture(scope="session")
def stack(chroma_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    import asyncio
    import shutil

    from bot.answering.engine import build_answerer
    from bot.ingest_runner import IngestRunner
    from store.library import open_library

    base = tmp_path_factory.mktemp("tg-e2e")
    briefs = base / "briefs"
    briefs.mkdir()
    for path in sorted(SAMPLE_BRIEFS.glob("*.md"))[:SAMPLE_COUNT]:
        shutil.copy(path, briefs / path.name)
    store = StoreSettings(
        data_dir=base / "var",
        chroma_host=chroma_server.host,
        chroma_port=chroma_server.port,
        collection="tg_e2e",
    )
    env = {
        "BRIEFBOT_STORE__DATA_DIR": str(store.data_dir),
        "BRIEFBOT_STORE__CHROMA_HOST": chroma_server.host,
        "BRIEFBOT_STORE__CHROMA_PORT": str(chroma_server.port),
        "BRIEFBOT_STORE__COLLECTION": store.collection,
        "BRIEFBOT_INGEST__SOURCES": f'["{briefs}"]',
    }
    # Index through the same child process /reindex uses.
    asyncio.run(IngestRunner(env=env, cwd=str(SAMPLE_BRIEFS.parents[1])).run())
    library = open_library(store)
    settings = BotSettings(store=store, _env_file=None)  # type: ignore[call-arg]
    yield Stack(store, library, build_answerer(settings.answer, settings.llm, library), env, chroma_server)
    library.close()
