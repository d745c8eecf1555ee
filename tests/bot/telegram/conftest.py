"""Fixtures for the Telegram front end: an Application over fakes for unit tests, and (in e2e_support) the
Bot API emulator for end-to-end tests."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from telegram import Update

from bot.settings import BotSettings
from bot.telegram.app import build_application
from bot.telegram.services import BotApp
from bot.telegram.settings import TelegramSettings
from store.settings import StoreSettings
from tests.bot.telegram.e2e_support import Emulator, start_emulator
from tests.bot.telegram.fakes import FakeAnswerer, FakeLibrary, FakeTelegram

ADMIN = 42
_update_ids = itertools.count(1)
_message_ids = itertools.count(1)


def make_settings(data_dir: Path, **telegram: Any) -> BotSettings:
    tg = TelegramSettings(token=SecretStr("123:TEST"), admin_ids=[ADMIN], **telegram)
    return BotSettings(store=StoreSettings(data_dir=data_dir), telegram=tg, _env_file=None)  # type: ignore[call-arg]


@dataclass
class Harness:
    app: BotApp
    tg: FakeTelegram
    answerer: FakeAnswerer
    library: FakeLibrary

    async def send(
        self,
        text: str | None,
        *,
        user: int = 7,
        chat: int | None = None,
        chat_type: str = "private",
        entities: list[dict[str, Any]] | None = None,
        reply_to: dict[str, Any] | None = None,
        thread: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        chat_id = chat if chat is not None else user
        chat_obj = {"id": chat_id, "type": chat_type, "title": "Group", "first_name": "U"}
        self.tg.chats[chat_id] = chat_obj
        message: dict[str, Any] = {
            "message_id": next(_message_ids),
            "date": int(time.time()),
            "chat": chat_obj,
            "from": {"id": user, "is_bot": False, "first_name": "User"},
            **(extra or {}),
        }
        if text is not None:
            message["text"] = text
        if text and text.startswith("/") and entities is None:
            entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if entities:
            message["entities"] = entities
        if reply_to:
            message["reply_to_message"] = reply_to
        if thread is not None:
            message["message_thread_id"] = thread
            message["is_topic_message"] = True
        await self.process({"update_id": next(_update_ids), "message": message})

    async def process(self, data: dict[str, Any]) -> None:
        await self.app.process_update(Update.de_json(data, self.app.bot))

    async def press(self, data: str, message: dict[str, Any], user: int = 7) -> None:
        query = {
            "id": str(next(_update_ids)),
            "from": {"id": user, "is_bot": False, "first_name": "User"},
            "chat_instance": "1",
            "data": data,
            "message": {
                "message_id": message.get("message_id", 1),
                "date": int(time.time()),
                "chat": {"id": int(message["chat_id"]), "type": "private"},
                "text": message.get("text", ""),
            },
        }
        await self.process({"update_id": next(_update_ids), "callback_query": query})


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


# ---------------------------------------------------------------- end-to-end: real store, engine, emulator


@dataclass
class Stack:
    """The real thing: a Chroma server holding sample briefs, the real engine, and the ingest job's env."""

    store: StoreSettings
    library: Any
    answerer: Any
    ingest_env: dict[str, str]
    server: Any


SAMPLE_BRIEFS = Path(__file__).resolve().parents[3] / "data" / "briefs"
# A dozen sample briefs (Indonesian and English) keep the session's one-off indexing short on shared cores.
SAMPLE_COUNT = 12


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
