"""Questions asked while the bot was down, end to end: a stock Application over the real engine, its replies
going to the Bot API emulator. The backlog reaches it through polling (the emulator holds it) or, as Telegram
does after `setWebhook`, through calls to its webhook server."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from bot.settings import BotSettings
from bot.telegram.app import build_application
from bot.telegram.backlog import SETTLE_SECONDS
from bot.telegram.settings import TelegramSettings
from bot.telegram.texts import EN
from bot.usage import UsageLog
from harness.emulator import Emulator, TgUser, app_running
from harness.servers import free_port
from tests.support.telegram import Stack

pytestmark = pytest.mark.e2e

SECRET = "backlog-secret"
_update_ids = itertools.count(70_000)
Deliver = Callable[[int, str, int], Awaitable[int]]  # (chat, text, date) -> message id


@contextlib.asynccontextmanager
async def serving(
    emulator: Emulator, stack: Stack, token: str, webhook_port: int | None
) -> AsyncIterator[None]:
    """The bot under `token`, started without dropping pending updates, as `python -m bot` starts it."""
    tg = TelegramSettings(token=SecretStr(token), base_url=emulator.base_url, poll_interval=0.02)
    assert tg.backlog_max_age == 600  # the shipped default is what is tested
    settings = BotSettings(store=stack.store, telegram=tg, _env_file=None)  # type: ignore[call-arg]
    usage = UsageLog(stack.store.data_dir / f"usage-backlog-{time.monotonic_ns()}.sqlite3")
    app = build_application(settings, stack.library, stack.answerer, usage=usage)
    try:
        async with app_running(app, webhook_port, SECRET, drop_pending=False):
            yield
    finally:
        usage.close()


def _message(chat: int, text: str, date: int) -> dict[str, Any]:
    return {
        "message_id": next(_update_ids),
        "date": date,
        "from": {"id": chat, "is_bot": False, "first_name": f"U{chat}"},
        "chat": {"id": chat, "type": "private", "first_name": f"U{chat}"},
        "text": text,
    }


def via_emulator(emulator: Emulator, token: str) -> Deliver:
    """Users posting through the emulator, which holds the messages until the bot polls."""

    async def deliver(chat: int, text: str, date: int) -> int:
        user = TgUser(emulator, token, user_id=chat, name=f"U{chat}")
        try:
            sent = await user.say(text, date=date)
        finally:
            await user.close()
        return int(sent["message_id"])

    return deliver


def via_webhook(port: int, http: httpx.AsyncClient) -> Deliver:
    """Telegram's side of webhook mode: each pending update POSTed to the bot's webhook with the secret."""

    async def deliver(chat: int, text: str, date: int) -> int:
        message = _message(chat, text, date)
        response = await http.post(
            f"http://127.0.0.1:{port}/telegram",
            json={"update_id": next(_update_ids), "message": message},
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        assert response.status_code == 200, response.text
        return int(message["message_id"])

    return deliver


async def queue_backlog(deliver: Deliver) -> dict[int, list[int]]:
    """Questions from before the start in three chats; returns chat -> ids the bot must answer, in order."""
    now = int(time.time())
    await deliver(7, "Why did OpenAI stop working with Scale AI?", now - 2000)  # older than 600 s: stale
    await deliver(7, "meta scale ai how much", now - 40)
    rephrased = await deliver(7, "How much did Meta pay for its stake in Scale AI?", now - 30)
    only = await deliver(8, "Siapa CEO sementara Scale AI?", now - 20)
    await deliver(9, "Who leads Meta's superintelligence unit?", now - 1000)  # stale: no answer at all
    return {7: [rephrased], 8: [only], 9: []}


async def replies_by_chat(user: TgUser) -> dict[int, list[int]]:
    """Which user message each bot message in chats 7-9 replies to."""
    out: dict[int, list[int]] = {7: [], 8: [], 9: []}
    for message in await user.bot_messages():
        out[int(message["chat_id"])].append(json.loads(message["reply_parameters"])["message_id"])
    return out


async def check_backlog_then_live(user: TgUser, deliver: Deliver, expected: dict[int, list[int]]) -> None:
    await user.wait_for(lambda ms: len(ms) >= 2, within=60)
    await asyncio.sleep(SETTLE_SECONDS + 1.0)  # a superseded or stale question would be answered by now
    assert await replies_by_chat(user) == expected
    # After the start everything is answered as usual, also in the chat whose backlog was stale.
    live = await deliver(9, "Who leads Meta's superintelligence unit?", int(time.time()))
    await user.wait_for(lambda ms: len(ms) >= 3, within=60)
    assert await replies_by_chat(user) == {**expected, 9: [live]}


def _summary(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "bot.telegram.backlog" and r.levelno == logging.INFO
    ]


async def test_polling_answers_each_chats_last_fresh_question_once(
    emulator: Emulator, stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.telegram.backlog")
    token = emulator.new_token()
    deliver = via_emulator(emulator, token)
    expected = await queue_backlog(deliver)
    user = TgUser(emulator, token)
    # A button pressed while the bot was down, on a message it sent long ago, is still acknowledged.
    await user.press(
        "vote:unknown-answer:up", {"chat_id": 8, "message_id": 4242}, date=int(time.time()) - 5000
    )
    try:
        async with serving(emulator, stack, token, webhook_port=None):
            await check_backlog_then_live(user, deliver, expected)
            acks = await user.calls("answerCallbackQuery")
        assert [c["body"].get("text") for c in acks] == [EN.passages_gone]
        assert _summary(caplog) == [
            "backlog from before the start: answering=2 superseded=1 stale=2 max_age=600s"
        ]
    finally:
        await user.close()


async def test_webhook_answers_each_chats_last_fresh_question_once(emulator: Emulator, stack: Stack) -> None:
    token = emulator.new_token()
    port = free_port()
    user = TgUser(emulator, token)
    async with httpx.AsyncClient(timeout=10) as http, serving(emulator, stack, token, webhook_port=port):
        deliver = via_webhook(port, http)
        try:
            # The webhook server queues each update and answers at once, as the backlog flows in.
            expected = await queue_backlog(deliver)
            await check_backlog_then_live(user, deliver, expected)
        finally:
            await user.close()
