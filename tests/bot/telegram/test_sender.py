"""The sender's per-chat flood-control locks: one chat's sends stay in order, and no lock outlives them."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Bot
from telegram.error import TimedOut

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


class _LosesCancellation(FakeTelegram):
    """A Bot API call that turns its cancellation into a timeout, as an HTTP client can when the event loop
    was stalled (a replica starved of CPU): the typing indicator survives failed calls by design."""

    def __init__(self) -> None:
        super().__init__()
        self.actions = 0

    async def do_request(self, url: str, method: str, request_data: Any = None, **kwargs: Any) -> Any:
        if url.endswith("sendChatAction"):
            self.actions += 1
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                raise TimedOut("Timed out") from None
        return await super().do_request(url, method, request_data, **kwargs)


async def test_an_indicator_that_loses_its_cancellation_does_not_hold_the_answer() -> None:
    tg = _LosesCancellation()
    bot = Bot("123:TEST", request=tg, get_updates_request=tg)
    await bot.initialize()
    sender = Sender(bot)

    async def answer() -> None:
        async with sender.typing(5):
            await asyncio.sleep(0.05)  # the answer is ready while "typing" is still in flight

    answering = asyncio.create_task(answer())
    await asyncio.wait({answering}, timeout=5)
    assert answering.done(), "the answer waits for the typing indicator"  # it used to, forever
    await asyncio.sleep(0.2)
    assert tg.actions == 1  # and the indicator stopped: no chat action after the answer
