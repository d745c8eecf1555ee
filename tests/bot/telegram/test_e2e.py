"""End to end: a stock PTB Application polling the Bot API emulator, over the real engine and a real Chroma
server holding sample briefs. Users are played through the emulator; every message the bot sends is checked
as Telegram would check it (allowed tags, balance, length)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.ingest_runner import IngestRunner
from bot.settings import BotSettings
from bot.telegram.app import build_application
from bot.telegram.settings import TelegramSettings
from bot.usage import UsageLog
from harness.emulator import Emulator, TgUser, app_running, buttons_of
from harness.servers import free_port
from tests.bot.telegram.html_check import telegram_html_problems, visible_text
from tests.support.telegram import SAMPLE_BRIEFS, Stack

pytestmark = pytest.mark.e2e

ADMIN = 42
GROUP = {"id": -100123, "type": "supergroup", "title": "Analysts", "is_forum": True}
WEBHOOK_SECRET = "s3cret-token"
CHANNEL = {"id": -100777, "type": "channel", "title": "Curated Briefs", "username": "curated"}


@contextlib.asynccontextmanager
async def running_bot(
    emulator: Emulator,
    stack: Stack,
    answerer: Any = None,
    webhook_port: int | None = None,
    *,
    token: str | None = None,
    usage_path: Path | None = None,
) -> AsyncIterator[TgUser]:
    """The bot polling the emulator (or on a webhook) under a fresh token; yields a user talking to it.

    Passing the `token` and `usage_path` of an earlier run starts the same bot again: a restart."""
    token = token or emulator.new_token()
    tg = TelegramSettings(
        token=SecretStr(token),
        base_url=emulator.base_url,
        admin_ids=[ADMIN],
        channels=["curated"],
        poll_interval=0.02,
        progress_every=0.5,
    )
    settings = BotSettings(store=stack.store, telegram=tg, _env_file=None)  # type: ignore[call-arg]
    runner = IngestRunner(env=stack.ingest_env, cwd=str(SAMPLE_BRIEFS.parents[1]))
    usage = UsageLog(usage_path or stack.store.data_dir / f"usage-{time.monotonic_ns()}.sqlite3")
    app = build_application(settings, stack.library, answerer or stack.answerer, usage=usage, runner=runner)
    try:
        async with app_running(app, webhook_port, WEBHOOK_SECRET):
            user = TgUser(emulator, token)
            try:
                yield user
            finally:
                await user.close()
    finally:
        usage.close()


def _valid(messages: list[dict[str, Any]]) -> None:
    for message in messages:
        assert telegram_html_problems(message["text"]) == [], message["text"]


async def test_private_question_gets_a_cited_answer(emulator: Emulator, stack: Stack) -> None:
    async with running_bot(emulator, stack) as user:
        await user.say("Why did OpenAI stop working with Scale AI?")
        [answer] = await user.wait_for(lambda ms: len(ms) >= 1, chat_id=7)
        _valid([answer])
        shown = visible_text(answer["text"])
        assert "[1]" in shown and "Sources" in shown
        assert "<a href=" in answer["text"] and answer["parse_mode"] == "HTML"
        assert set(buttons_of(answer)) >= {"Show passages", "👍", "👎"}
        methods = [c["method"] for c in await user.calls()]
        assert methods.index("sendChatAction") < methods.index("sendMessage")


async def test_group_triggers_threads_and_replies(emulator: Emulator, stack: Stack) -> None:
    async with running_bot(emulator, stack) as user:
        await user.say("Scale AI is interesting", chat=GROUP)
        await user.say("/ask@OtherBot why did Meta invest in Scale AI?", chat=GROUP)
        await asyncio.sleep(1.0)
        assert await user.bot_messages(GROUP["id"]) == []
        await user.say("/ask@TestNameBot why did Meta invest in Scale AI?", chat=GROUP, thread=5)
        [first] = await user.wait_for(lambda ms: len(ms) >= 1, chat_id=GROUP["id"])
        assert int(first["message_thread_id"]) == 5
        mention = "@TestNameBot siapa CEO sementara Scale AI?"
        await user.say(mention, chat=GROUP, entities=[{"type": "mention", "offset": 0, "length": 12}])
        bot_reply = {
            "message_id": first["message_id"],
            "date": 1,
            "chat": GROUP,
            "text": "earlier",
            "from": {"id": 666, "is_bot": True, "first_name": "Test First name"},
        }
        await user.say("and what did Google do?", chat=GROUP, reply_to=bot_reply)
        messages = await user.wait_for(lambda ms: len(ms) >= 3, chat_id=GROUP["id"])
        _valid(messages)
        assert "[1]" in visible_text(first["text"])
        replied_to = {json.loads(m["reply_parameters"])["message_id"] for m in messages}
        assert len(replied_to) == 3  # each trigger got its own answer, quoting it
        await asyncio.sleep(0.5)
        assert len(await user.bot_messages(GROUP["id"])) == 3


async def test_buttons_show_passages_and_record_votes(emulator: Emulator, stack: Stack) -> None:
    async with running_bot(emulator, stack) as user:
        # An Indonesian question the reader answers well above its cut-off: this test is about the buttons.
        # ("Berapa Meta bayar untuk saham Scale AI?", asked here until the GPU-trained reader, is now
        # declined: a known miss in tests/bot/answering/test_reading.py.)
        await user.say("Siapa CEO sementara Scale AI?")
        [answer] = await user.wait_for(lambda ms: len(ms) >= 1, chat_id=7)
        buttons = buttons_of(answer)
        await user.press(
            buttons["Tampilkan kutipan"] if "Tampilkan kutipan" in buttons else buttons["Show passages"],
            answer,
        )
        messages = await user.wait_for(lambda ms: len(ms) >= 2, chat_id=7)
        _valid(messages)
        assert "<blockquote>" in messages[1]["text"]
        await user.press(buttons["👍"], answer)
        await asyncio.sleep(0.5)
        acks = await user.calls("answerCallbackQuery")
        assert any(
            "dicatat" in str(c["body"].get("text")) or "recorded" in str(c["body"].get("text")) for c in acks
        )


async def test_passages_button_works_after_the_bot_restarts(emulator: Emulator, stack: Stack) -> None:
    token = emulator.new_token()
    usage_path = stack.store.data_dir / f"usage-restart-{time.monotonic_ns()}.sqlite3"
    async with running_bot(emulator, stack, token=token, usage_path=usage_path) as user:
        await user.say("Why did OpenAI stop working with Scale AI?")
        [answer] = await user.wait_for(lambda ms: len(ms) >= 1, chat_id=7)
        shown_answer = visible_text(answer["text"])
    # A new Application, as after a deploy: nothing of the first one's memory is left.
    async with running_bot(emulator, stack, token=token, usage_path=usage_path) as user:
        await user.press(buttons_of(answer)["Show passages"], answer)
        messages = await user.wait_for(lambda ms: len(ms) >= 2, chat_id=7)
        _valid(messages)
        passages = messages[1]
        assert json.loads(passages["reply_parameters"])["message_id"] == answer["message_id"]
        quotes = re.findall(r"<blockquote>(.*?)</blockquote>", passages["text"], flags=re.S)
        markers = set(re.findall(r"\[(\d+)\]", shown_answer.split("Sources")[0]))
        assert quotes and len(quotes) == len(markers)
        assert "Supporting passages" in visible_text(passages["text"])
        acks = await user.calls("answerCallbackQuery")
        assert acks and all("too old" not in str(c["body"].get("text")) for c in acks)


async def test_channel_post_becomes_searchable_and_bot_stays_silent(emulator: Emulator, stack: Stack) -> None:
    text = (
        "Koperasi nelayan Wakatobi dapat kredit rumput laut\n"
        "Koperasi nelayan di Wakatobi menerima kredit Rp 7 miliar dari Bank Sultra untuk budidaya "
        "rumput laut. "
        "Kredit itu akan dipakai membeli 40 perahu dan tali bibit."
    )
    async with running_bot(emulator, stack) as user:
        post = await user.say(text, chat=CHANNEL)
        brief_id = f"tg-curated-{post['message_id']}"
        deadline = time.monotonic() + 60
        while brief_id not in {b.id for b in stack.library.list_briefs()}:
            assert time.monotonic() < deadline, "the channel post was never indexed"
            await asyncio.sleep(0.5)
        await user.say("Berapa kredit yang diterima koperasi nelayan Wakatobi?")
        [answer] = await user.wait_for(lambda ms: len(ms) >= 1, chat_id=7)
        assert f"https://t.me/curated/{post['message_id']}" in answer["text"]
        assert await user.bot_messages(CHANNEL["id"]) == []


async def test_bad_messages_get_sensible_replies(emulator: Emulator, stack: Stack) -> None:
    async with running_bot(emulator, stack) as user:
        await user.say("")
        await user.say("y" * 5000)
        await user.say("🤔🤔🤔")
        await user.say(
            "",
            sticker={
                "file_id": "s",
                "file_unique_id": "u",
                "width": 1,
                "height": 1,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            },
        )
        await user.say("<script>alert('x')</script> <b>Scale AI</b> & Meta?")
        messages = await user.wait_for(lambda ms: len(ms) >= 5, chat_id=7)
        _valid(messages)
        shown = " | ".join(visible_text(m["text"]) for m in messages)
        assert "too long" in shown and "in words" in shown


async def test_long_answers_arrive_split_and_valid(emulator: Emulator, stack: Stack) -> None:
    # The real engine never writes 4,096 characters; this one answer comes from the unit tests' fake engine.
    from tests.bot.telegram.fakes import FakeAnswerer

    async with running_bot(emulator, stack, answerer=FakeAnswerer()) as user:
        await user.say("long answer please")
        messages = await user.wait_for(lambda ms: len(ms) >= 3, chat_id=7)
        _valid(messages)
        assert buttons_of(messages[-1]) and not buttons_of(messages[0])


async def test_flood_control_in_one_chat_does_not_stall_another(emulator: Emulator, stack: Stack) -> None:
    async with running_bot(emulator, stack) as user:
        other = TgUser(emulator, user.token, user_id=8, name="Budi")
        await user.inject_error("sendMessage", chat_id=7, retry_after=3)
        started = time.monotonic()
        await user.say("What did Meta pay for Scale AI?")
        await other.say("What did Meta pay for Scale AI?")
        await other.wait_for(lambda ms: len(ms) >= 1, chat_id=8)
        other_seconds = time.monotonic() - started
        await user.wait_for(lambda ms: len(ms) >= 1, chat_id=7)
        assert time.monotonic() - started >= 3.0 > other_seconds
        await other.close()


async def test_reindex_admin_only_with_progress_while_answering(emulator: Emulator, stack: Stack) -> None:
    async with running_bot(emulator, stack) as user:
        await user.say("/reindex")
        [refusal] = await user.wait_for(lambda ms: len(ms) >= 1, chat_id=7)
        assert "only the bot's admins" in visible_text(refusal["text"])
        admin = TgUser(emulator, user.token, user_id=ADMIN, name="Admin")
        await admin.say("/reindex")
        await admin.wait_for(lambda ms: len(ms) >= 1, chat_id=ADMIN)
        await user.say("Who leads Meta's superintelligence unit?")
        final = await admin.wait_for(
            lambda ms: "done" in ms[0]["text"] or "failed" in ms[0]["text"], chat_id=ADMIN, within=180
        )
        summary = visible_text(final[0]["text"])
        assert "Incremental reindex done" in summary and "Added: 0" in summary and "Failed: 0" in summary
        sends = [c for c in await user.calls("sendMessage") if str(c["body"].get("chat_id")) == "7"]
        edits = [c for c in await user.calls("editMessageText") if "done" in str(c["body"].get("text"))]
        assert sends[-1]["time"] < edits[-1]["time"], "the question waited for the reindex"
        await admin.close()


async def test_chroma_down_gives_unavailable_then_recovers_without_restart(
    emulator: Emulator, stack: Stack
) -> None:
    async with running_bot(emulator, stack) as user:
        stack.server.stop()
        try:
            await user.say("Siapa CEO sementara Scale AI?")
            [down] = await user.wait_for(lambda ms: len(ms) >= 1, chat_id=7, within=60)
            assert "The library is unavailable right now, please try again shortly." in visible_text(
                down["text"]
            )
        finally:
            await asyncio.to_thread(stack.server.start)
        await user.say("Siapa CEO sementara Scale AI?")
        messages = await user.wait_for(lambda ms: len(ms) >= 2, chat_id=7, within=60)
        assert "[1]" in visible_text(messages[1]["text"])


async def test_webhook_mode_with_secret_token(emulator: Emulator, stack: Stack) -> None:
    async with running_bot(emulator, stack, webhook_port=free_port()) as user:
        [set_webhook] = await user.calls("setWebhook")
        assert set_webhook["body"]["secret_token"] == WEBHOOK_SECRET
        await user.say("Siapa CEO sementara Scale AI?")
        [answer] = await user.wait_for(lambda ms: len(ms) >= 1, chat_id=7)
        assert "[1]" in visible_text(answer["text"])
        assert not await user.calls("getUpdates")


async def test_sources_pages_newest_first_with_buttons(emulator: Emulator, stack: Stack) -> None:
    async with running_bot(emulator, stack) as user:
        await user.say("/sources")
        [page] = await user.wait_for(lambda ms: len(ms) >= 1, chat_id=7)
        _valid([page])
        dates = re.findall(r"\d{4}-\d{2}-\d{2}", visible_text(page["text"]))
        assert dates and dates == sorted(dates, reverse=True)
        await user.press(buttons_of(page)["Next ›"], page)
        [turned] = await user.wait_for(lambda ms: "2/" in visible_text(ms[0]["text"]), chat_id=7)
        _valid([turned])
        assert set(buttons_of(turned)) >= {"‹ Prev"}
