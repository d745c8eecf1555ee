"""A flood-control wait one replica met is honoured by the other: it holds its sends to that chat."""

from __future__ import annotations

import time

import pytest
from telegram import Bot

from bot.coordination.redis_backend import RedisCoordination
from bot.telegram.sender import Sender
from harness.servers import RedisServer
from tests.bot.telegram.fakes import FakeTelegram

pytestmark = pytest.mark.replicas


async def test_a_flood_wait_met_by_one_replica_holds_the_others_sends(redis_server: RedisServer) -> None:
    prefix = f"flood-{time.monotonic_ns()}"
    shared = [
        RedisCoordination.from_url(redis_server.url, prefix=prefix, ttl=5, per_minute=5) for _ in range(2)
    ]
    tg_a, tg_b = FakeTelegram(), FakeTelegram()
    tg_a.floods[-100] = [2]  # Telegram asks replica A to wait 2 s before writing to this chat again
    bots = [Bot("123:TEST", request=tg, get_updates_request=tg) for tg in (tg_a, tg_b)]
    for bot in bots:
        await bot.initialize()
    a, b = (Sender(bot, retries=2, floods=floods) for bot, floods in zip(bots, shared, strict=True))
    started = time.monotonic()
    await a.send(-100, "from A")  # refused once, waits 2 s, retried
    assert time.monotonic() - started >= 2.0
    await shared[0].flood_hit(-100, 1.5)  # a fresh wait, as if A had just been refused again
    started = time.monotonic()
    await b.send(-100, "from B")  # never refused itself, yet it waits
    assert time.monotonic() - started >= 1.0
    await b.send(-200, "other chat")  # other chats are not held
    assert [m["text"] for m in tg_b.sent()] == ["from B", "other chat"]
    for floods in shared:
        await floods.aclose()
