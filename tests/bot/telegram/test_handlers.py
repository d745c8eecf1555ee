"""Handler behaviour through `Application.process_update`, over a recorded Bot API and fake engine/store."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.ingest_runner import IngestRunner
from bot.usage import UsageLog
from tests.bot.telegram.fakes import BOT_ID, BOT_USERNAME
from tests.bot.telegram.html_check import telegram_html_problems, visible_text
from tests.support.ingest_job import FAKE_INGEST
from tests.support.telegram import ADMIN, Harness

GROUP = -100500


def _texts(h: Harness, chat: int | None = None) -> list[str]:
    return [visible_text(m["text"]) for m in h.tg.sent(chat)]


def _buttons(message: dict[str, Any]) -> dict[str, str]:
    return {b["text"]: b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row}


async def test_private_question_gets_cited_html_answer_with_buttons(harness: Harness) -> None:
    await harness.send("Why did OpenAI leave Scale AI?")
    [sent] = harness.tg.sent(7)
    assert sent["parse_mode"] == "HTML" and sent["link_preview_options"] == {"is_disabled": True}
    assert telegram_html_problems(sent["text"]) == []
    shown = visible_text(sent["text"])
    assert "Scale AI [1]" in shown and "Sources" in shown and "As of 2025-06-14" in shown
    assert sent["reply_parameters"]["message_id"] > 0
    assert set(_buttons(sent)) == {"Show passages", "👍", "👎"}
    assert "sendChatAction" in harness.tg.methods()
    assert harness.app.bot_data["services"].usage.summary().questions == 1


async def test_group_answers_only_its_triggers(harness: Harness) -> None:
    group = {"chat": GROUP, "chat_type": "supergroup"}
    await harness.send("just chatting about Scale AI", **group)
    await harness.send("/ask@OtherBot what about Meta?", **group)
    assert harness.tg.sent(GROUP) == []
    await harness.send("/ask what about Meta?", **group)
    await harness.send(f"/ask@{BOT_USERNAME} and Google?", **group)
    mention = f"@{BOT_USERNAME} who leads Scale?"
    await harness.send(mention, entities=[{"type": "mention", "offset": 0, "length": 12}], **group)
    bot_message = {
        "message_id": 1,
        "date": 1,
        "chat": {"id": GROUP, "type": "supergroup"},
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "B"},
        "text": "earlier answer",
    }
    await harness.send("and after that?", reply_to=bot_message, **group)
    assert len(harness.tg.sent(GROUP)) == 4
    asked = [q for q, _ in harness.answerer.questions]
    assert asked == ["what about Meta?", "and Google?", "who leads Scale?", "and after that?"]
    assert harness.answerer.questions[-1][1] == "earlier answer"


async def test_reply_to_any_message_is_context_and_bare_ask_asks_about_it(harness: Harness) -> None:
    other = {
        "message_id": 3,
        "date": 1,
        "chat": {"id": GROUP, "type": "group"},
        "from": {"id": 9, "is_bot": False, "first_name": "Budi"},
        "text": "Scale AI laid off 14% of staff.",
    }
    await harness.send("/ask why?", chat=GROUP, chat_type="group", reply_to=other)
    await harness.send("/ask", chat=GROUP, chat_type="group", reply_to=other)
    assert harness.answerer.questions == [
        ("why?", "Scale AI laid off 14% of staff."),
        ("Scale AI laid off 14% of staff.", None),
    ]


async def test_forum_topic_answer_stays_in_its_thread(harness: Harness) -> None:
    await harness.send("/ask what about Meta?", chat=GROUP, chat_type="supergroup", thread=77)
    [sent] = harness.tg.sent(GROUP)
    assert sent["message_thread_id"] == 77
    actions = [c.params for c in harness.tg.calls if c.method == "sendChatAction"]
    assert actions and actions[0]["message_thread_id"] == 77


async def test_second_question_while_busy_gets_a_short_notice(harness: Harness) -> None:
    harness.answerer.hold = True
    first = asyncio.create_task(harness.send("first question"))
    await asyncio.sleep(0.3)
    await harness.send("second question")
    assert "Still working on your last question" in _texts(harness, 7)[0]
    harness.answerer.gate.set()
    await first
    assert len(harness.answerer.questions) == 1 and len(harness.tg.sent(7)) == 2


async def test_rate_limit_is_per_user_and_friendly(harness_factory: Any) -> None:
    h: Harness = await harness_factory(questions_per_minute=2)
    for _ in range(3):
        await h.send("question?")
    await h.send("question?", user=8)
    assert "asking faster" in _texts(h, 7)[-1]
    assert "asking faster" not in _texts(h, 8)[-1]
    assert len(h.answerer.questions) == 3


async def test_allow_lists_refuse_politely(harness_factory: Any) -> None:
    h: Harness = await harness_factory(allowed_user_ids=[1], allowed_chat_ids=[GROUP])
    await h.send("hello?", user=7)
    assert "not on its list" in _texts(h, 7)[0]
    await h.send("/ask hello?", user=7, chat=GROUP, chat_type="group")  # a listed group lets members ask
    await h.send("/ask hello?", user=7, chat=-5, chat_type="group")
    assert len(h.answerer.questions) == 1


async def test_store_down_gives_unavailable_and_recovers(harness: Harness) -> None:
    harness.answerer.unavailable = True
    await harness.send("anything?")
    assert "The library is unavailable right now, please try again shortly." in _texts(harness, 7)[-1]
    harness.answerer.unavailable = False
    await harness.send("anything?")
    assert "Sources" in _texts(harness, 7)[-1]


async def test_bad_messages_get_sensible_replies(harness: Harness) -> None:
    await harness.send("")
    await harness.send("x" * 5000)
    await harness.send("😀🎉🔥")
    await harness.send(
        None,
        extra={
            "sticker": {
                "file_id": "s",
                "file_unique_id": "u",
                "width": 1,
                "height": 1,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
    )
    replies = _texts(harness, 7)
    assert "question in words" in replies[0]
    assert "too long" in replies[1] and "5000" in replies[1]
    assert "written in words" in replies[2]
    assert "only read text" in replies[3]
    assert harness.answerer.questions == []
    await harness.send("<b>What</b> about <script>alert(1)</script> & Scale?")
    assert harness.answerer.questions[-1][0].startswith("<b>What</b>")
    assert telegram_html_problems(harness.tg.sent(7)[-1]["text"]) == []


async def test_long_answer_is_split_with_buttons_on_the_last_part(harness: Harness) -> None:
    await harness.send("long answer please")
    parts = harness.tg.sent(7)
    assert len(parts) >= 2
    assert all(telegram_html_problems(p["text"]) == [] for p in parts)
    assert "reply_markup" in parts[-1] and all("reply_markup" not in p for p in parts[:-1])


async def test_passages_button_and_votes(harness: Harness) -> None:
    await harness.send("Why did OpenAI leave?")
    answer = harness.tg.sent(7)[0]
    buttons = _buttons(answer)
    await harness.press(buttons["Show passages"], {**answer, "message_id": 5})
    passages = harness.tg.sent(7)[-1]
    assert passages["text"].count(
        "<blockquote>"
    ) == 2 and "OpenAI ended its work with <Scale>." in visible_text(passages["text"])
    await harness.press(buttons["👎"], answer)
    await harness.press(buttons["👍"], answer, user=8)
    await harness.press(buttons["👍"], answer)  # a user changing their mind counts once
    usage = harness.app.bot_data["services"].usage
    assert usage.summary().up_votes == 2 and usage.summary().down_votes == 0
    answers = [c.params for c in harness.tg.calls if c.method == "answerCallbackQuery"]
    assert "vote was recorded" in answers[-1]["text"]


async def test_help_and_sources_pagination(harness: Harness) -> None:
    await harness.send("/start")
    assert "How to ask" in _texts(harness, 7)[0] and "Cara bertanya" in _texts(harness, 7)[0]
    await harness.send("/sources")
    page = harness.tg.sent(7)[-1]
    assert "1/3" in visible_text(page["text"]) and list(_buttons(page)) == ["Next ›"]
    await harness.press(_buttons(page)["Next ›"], {**page, "message_id": 9})
    edit = [c.params for c in harness.tg.calls if c.method == "editMessageText"][-1]
    assert "2/3" in visible_text(edit["text"]) and "9. " in visible_text(edit["text"])


async def test_non_admin_reindex_and_stats_are_refused_and_logged(harness: Harness, caplog: Any) -> None:
    await harness.send("/reindex full")
    await harness.send("/stats")
    assert all("only the bot's admins" in t for t in _texts(harness, 7))
    assert "admin command refused command=reindex user_id=7" in caplog.text


async def test_admin_stats(harness: Harness) -> None:
    await harness.send("hello?", user=42)
    await harness.send("/stats", user=42)
    shown = _texts(harness, 42)[-1]
    assert "Briefs: 20" in shown and "Answered: 1" in shown and "Median answer time" in shown


async def test_channel_posts_become_briefs_silently(harness_factory: Any) -> None:
    h: Harness = await harness_factory(channels=["curated"])
    post = {
        "message_id": 31,
        "date": 1750000000,
        "text": "Telkomsel luncurkan 5G di Bali\nTelkomsel resmi ...",
        "chat": {"id": -1001, "type": "channel", "title": "Curated News", "username": "curated"},
    }
    await h.process({"update_id": 900, "channel_post": post})
    await h.process(
        {"update_id": 901, "edited_channel_post": {**post, "text": "Telkomsel 5G\nedited", "edit_date": 2}}
    )
    other = {**post, "chat": {"id": -1002, "type": "channel", "title": "Other", "username": "other"}}
    await h.process({"update_id": 902, "channel_post": other})
    first, edited = h.library.upserted
    assert first.id == "tg-curated-31" and first.url == "https://t.me/curated/31"
    assert first.scope == "telegram:curated" and first.title == "Telkomsel luncurkan 5G di Bali"
    assert first.published is not None and first.published.isoformat() == "2025-06-15"
    assert first.lang == "id" and edited.id == first.id and edited.text.endswith("edited")
    assert h.tg.sent() == []


async def test_errors_apologise_without_traceback_and_report_redacted(harness_factory: Any) -> None:
    h: Harness = await harness_factory(error_chat_id=-999)
    h.app.bot_data["services"].settings.llm.api_key = SecretStr("sk-llm-secret")

    def broken(question: str, **_: Any) -> Any:
        raise RuntimeError("engine exploded near token 123:TEST calling with key sk-llm-secret")

    h.answerer.answer = broken  # type: ignore[method-assign]
    await h.send("question?")
    [apology] = _texts(h, 7)
    assert "Sorry, something went wrong" in apology and "Traceback" not in apology
    [report] = _texts(h, -999)
    assert "RuntimeError" in report and "123:TEST" not in report and "<redacted>" in report
    assert "sk-llm-secret" not in report  # every configured secret, not only the bot token


async def test_flood_wait_in_one_chat_does_not_delay_another(harness: Harness) -> None:
    harness.tg.floods[7] = [2]
    started = time.monotonic()
    times: dict[int, float] = {}

    async def ask(user: int) -> None:
        await harness.send("question?", user=user)
        times[user] = time.monotonic() - started

    await asyncio.gather(ask(7), ask(8))
    assert len(harness.tg.sent(7)) == 2  # the refused attempt and the retry
    assert times[7] >= 2.0 and times[8] < 1.0


# The harness processes updates without starting the Application, which PTB warns about for background tasks.
@pytest.mark.filterwarnings("ignore:Tasks created via")
async def test_admin_reindex_edits_progress_and_ends_with_summary(
    harness_factory: Any, tmp_path: Path
) -> None:
    script = tmp_path / "fake_ingest.py"
    script.write_text(FAKE_INGEST.replace("for done", "time.sleep(0.6)\nfor done"))
    h: Harness = await harness_factory(
        runner=IngestRunner(command=[sys.executable, str(script)]), progress_every=0.5
    )
    await h.send("/reindex full", user=ADMIN)
    await h.send("/reindex", user=ADMIN)  # a second run while one is going is refused, not queued
    assert "already running" in _texts(h, ADMIN)[-1]
    await h.send("meanwhile, a question?")
    assert "Sources" in _texts(h, 7)[-1]  # answered while the reindex runs
    services = h.app.bot_data["services"]
    for _ in range(100):
        edits = [c.params["text"] for c in h.tg.calls if c.method == "editMessageText"]
        if edits and "done" in edits[-1]:
            break
        await asyncio.sleep(0.1)
    assert not services.runner.busy
    final = visible_text(edits[-1])
    assert (
        "Full rebuild done" in final
        and "Added: 1" in final
        and "Removed: 2" in final
        and "Failed: 1" in final
    )
    assert "x.md" in final and "empty file" in final
    assert len(edits) <= 3  # progress edits are throttled


async def test_a_slow_usage_write_does_not_hold_up_other_chats(harness: Harness, tmp_path: Path) -> None:
    class SlowDisk(UsageLog):
        def record_answer(self, **fields: Any) -> str:
            if fields["chat_id"] == 7:
                time.sleep(1.5)  # a busy shared disk stalls the commit
            return super().record_answer(**fields)

    harness.app.bot_data["services"].usage = SlowDisk(tmp_path / "slow.sqlite3")
    started = time.monotonic()
    times: dict[int, float] = {}

    async def ask(user: int) -> None:
        await harness.send("question?", user=user)
        times[user] = time.monotonic() - started

    await asyncio.gather(ask(7), ask(8))
    assert len(harness.tg.sent(7)) == 1 and len(harness.tg.sent(8)) == 1
    assert times[7] >= 1.5 and times[8] < 1.0
