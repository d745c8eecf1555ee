"""The sender's per-chat flood-control locks: one chat's sends stay in order, and no lock outlives them."""

from __future__ import annotations

import asyncio

from telegram import Bot

from bot.telegram.sender import Sender
from tests.bot.telegram.fakes import FakeTelegram


async def test_per_chat_locks_keep_order_and_are_released_after_use() -> None:
    tg = FakeTelegram()
    tg.floods[1] = [1]  # the first message to chat 1 meets flood control once
    bot = Bot("123:TEST", request=tg, get_updates_request=tg)
    await bot.initialize()
    sender = Sender(bot, retries=2)
    await asyncio.gather(
        sender.send(1, "first"), sender.send(1, "second"), *(sender.send(100 + n, "hi") for n in range(50))
    )
    delivered = [m["text"] for m in tg.sent(1)]
    assert delivered == ["first", "first", "second"]  # refused attempt, its retry, then the queued message
    assert len(tg.sent()) == 53
    # A long-running bot talks to ever more chats: a lock per chat ever seen would be a slow memory leak.
    assert sender._locks == {}
