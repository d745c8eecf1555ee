"""Live previews of a generated answer: drafts in private chats, one paced placeholder in groups."""

from __future__ import annotations

import asyncio
import itertools
import threading
from typing import Any

from bot.answering.types import AnswerProgress
from bot.telegram import live
from bot.telegram.live import LiveAnswer, status_html


class RecordingSender:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, float]] = []

    async def draft(self, chat_id: int, draft_id: int, html: str, *, thread_id: int | None = None) -> None:
        self.calls.append(("draft", html, asyncio.get_running_loop().time()))

    async def send(self, chat_id: int, html: str, **_: Any) -> Any:
        self.calls.append(("send", html, asyncio.get_running_loop().time()))
        return type("Sent", (), {"message_id": 77})()

    async def edit(self, chat_id: int, message_id: int, html: str, markup: Any = None) -> None:
        self.calls.append(("edit", html, asyncio.get_running_loop().time()))


async def _stream(answer: LiveAnswer, updates: list[AnswerProgress], gap: float) -> None:
    def worker() -> None:
        for update in updates:
            answer(update)
            threading.Event().wait(gap)

    async with answer:
        await asyncio.to_thread(worker)
        await asyncio.sleep(0.2)


UPDATES = [AnswerProgress("reading", briefs=3)] + [
    AnswerProgress("writing", text="Meta paid"[: n + 1]) for n in range(9)
]


async def test_private_chats_get_a_status_draft_at_once_then_paced_text(monkeypatch: Any) -> None:
    monkeypatch.setattr(live, "PRIVATE_INTERVAL", 0.1)
    sender = RecordingSender()
    answer = LiveAnswer(sender, 1, private=True, lang="en", thread_id=None, reply_to=5)  # type: ignore[arg-type]
    await _stream(answer, UPDATES, gap=0.03)
    kinds = [kind for kind, _, _ in sender.calls]
    assert set(kinds) == {"draft"} and answer.placeholder is None
    assert sender.calls[0][1] == "⏳ Reading 3 briefs…"
    assert sender.calls[-1][1] == "Meta paid …"  # the latest state wins; intermediate ones may be skipped
    times = [t for _, _, t in sender.calls]
    assert all(b - a >= 0.09 for a, b in itertools.pairwise(times))
    assert len(sender.calls) < len(UPDATES)


async def test_groups_get_one_placeholder_edited_at_the_group_pace(monkeypatch: Any) -> None:
    monkeypatch.setattr(live, "GROUP_INTERVAL", 0.15)
    sender = RecordingSender()
    answer = LiveAnswer(sender, -100, private=False, lang="id", thread_id=None, reply_to=5)  # type: ignore[arg-type]
    await _stream(answer, UPDATES, gap=0.03)
    kinds = [kind for kind, _, _ in sender.calls]
    assert kinds[0] == "send" and set(kinds[1:]) == {"edit"} and answer.placeholder == 77
    assert sender.calls[0][1] == "⏳ Membaca 3 brief…"
    times = [t for _, _, t in sender.calls]
    assert all(b - a >= 0.14 for a, b in itertools.pairwise(times))


def test_streamed_text_is_escaped() -> None:
    assert status_html(AnswerProgress("writing", text="a < b & c"), "en") == "a &lt; b &amp; c …"


def test_a_draft_that_did_not_hold_up_gives_way_to_a_status_in_the_asker_s_language() -> None:
    assert "translating" in status_html(AnswerProgress("translating", text="unverified draft"), "en")
    assert "menerjemahkan" in status_html(AnswerProgress("translating"), "id")
    assert "unverified draft" not in status_html(AnswerProgress("translating", text="unverified draft"), "en")
