"""Shared pieces of the Telegram tests: test settings, a `Harness` that feeds updates to an Application over
fakes, and the `Stack` the end-to-end tests run against (their fixtures: tests/bot/telegram/conftest.py)."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from telegram import Update

from bot.settings import BotSettings
from bot.telegram.services import BotApp
from bot.telegram.settings import TelegramSettings
from store.settings import StoreSettings
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


@dataclass
class Stack:
    """The real thing: a Chroma server holding sample briefs, the real engine, and the ingest job's env."""

    store: StoreSettings
    library: Any
    answerer: Any
    ingest_env: dict[str, str]
    server: Any


SAMPLE_BRIEFS = Path(__file__).resolve().parents[2] / "data" / "briefs"
# A dozen sample briefs (Indonesian and English) keep the session's one-off indexing short on shared cores.
SAMPLE_COUNT = 12
