"""The backlog rules that the end-to-end test does not reach: groups, a new message meeting a held one, and
`backlog_max_age=0`. Updates go through `Application.process_update` over the recorded Bot API."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

from tests.bot.telegram.fakes import BOT_USERNAME
from tests.support.telegram import Harness

GROUP = -100600
_ids = itertools.count(80_000)


async def _send(h: Harness, text: str, age: int, **kwargs: Any) -> int:
    """Send `text` dated `age` seconds ago; returns its message id."""
    message_id = next(_ids)
    await h.send(text, extra={"message_id": message_id, "date": int(time.time()) - age}, **kwargs)
    return message_id


def _replied_to(h: Harness, chat: int) -> list[int]:
    return [m["reply_parameters"]["message_id"] for m in h.tg.sent(chat)]


async def test_group_backlog_keeps_each_askers_last_question_and_ignores_chatter(harness: Harness) -> None:
    group: dict[str, Any] = {"chat": GROUP, "chat_type": "supergroup"}
    ani_first, ani_last, budi, _chatter, _other_bot = await asyncio.gather(
        _send(harness, "/ask who bought scale", 50, user=7, **group),
        _send(harness, f"/ask@{BOT_USERNAME} Who bought a stake in Scale AI?", 40, user=7, **group),
        _send(harness, "/ask Siapa CEO sementara Scale AI?", 30, user=8, **group),
        _send(harness, "thanks, that is all I wanted", 20, user=7, **group),
        _send(harness, "/ask@OtherBot weather?", 10, user=7, **group),
    )
    assert sorted(_replied_to(harness, GROUP)) == sorted([ani_last, budi])
    assert ani_first not in _replied_to(harness, GROUP)


async def test_a_new_message_supersedes_a_held_backlog_question(harness: Harness) -> None:
    async def new_question() -> int:
        await asyncio.sleep(0.3)  # the backlog question is being held by now
        return await _send(harness, "How much did Meta pay for Scale AI?", 0)

    _, new = await asyncio.gather(_send(harness, "meta scale how much", 60), new_question())
    assert _replied_to(harness, 7) == [new]


async def test_zero_max_age_drops_the_whole_backlog(harness_factory: Any) -> None:
    h: Harness = await harness_factory(backlog_max_age=0)
    await _send(h, "asked two seconds before the start", 2)
    assert h.tg.sent(7) == []
    new = await _send(h, "asked after the start", 0)
    assert _replied_to(h, 7) == [new]
