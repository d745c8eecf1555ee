"""The passages button outlives the process that answered: a new Application over the same data folder (a
restart, a deploy) or an evicted in-memory cache reads the cited passages back from the usage database."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.telegram.services import RecentAnswers
from tests.bot.telegram.html_check import telegram_html_problems, visible_text
from tests.support.telegram import Harness

GONE = "That answer is too old for me to show its passages; please ask again."


def _buttons(message: dict[str, Any]) -> dict[str, str]:
    return {b["text"]: b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row}


def _callback_answers(h: Harness) -> list[dict[str, Any]]:
    return [c.params for c in h.tg.calls if c.method == "answerCallbackQuery"]


async def _answered(h: Harness, question: str) -> dict[str, Any]:
    await h.send(question)
    return h.tg.sent(7)[-1]


def _assert_passages_shown(h: Harness, reply_to: int) -> None:
    shown = h.tg.sent(7)[-1]
    assert telegram_html_problems(shown["text"]) == []
    assert shown["reply_parameters"]["message_id"] == reply_to
    assert shown["text"].count("<blockquote>") == 2
    text = visible_text(shown["text"])
    assert "Supporting passages" in text
    assert "OpenAI ended its work with <Scale>." in text and "Meta & Scale." in text
    assert "Brief <1> & friends" in text and "Reuters, 2025-06-02" in text
    assert 'href="https://example.com/2?a=1&amp;b=2"' in shown["text"]


async def test_a_new_instance_shows_passages_of_an_answer_given_before_the_restart(
    harness_factory: Any, tmp_path: Path
) -> None:
    before: Harness = await harness_factory()
    answer = await _answered(before, "Why did OpenAI leave Scale AI?")
    data = _buttons(answer)["Show passages"]
    await before.app.shutdown()  # the old process is gone, its memory with it

    after: Harness = await harness_factory()  # same data folder, same usage.sqlite3
    assert after.app.bot_data["services"].answers.get(data.split(":", 1)[1]) is None
    await after.press(data, {**answer, "message_id": 31})
    _assert_passages_shown(after, reply_to=31)
    assert _callback_answers(after)[-1].get("text") is None  # a plain acknowledgement, no "too old"


async def test_an_answer_evicted_from_the_memory_cache_still_shows_its_passages(harness: Harness) -> None:
    harness.app.bot_data["services"].answers = RecentAnswers(size=1)
    first = await _answered(harness, "Why did OpenAI leave Scale AI?")
    await _answered(harness, "And what did Meta do?")  # pushes the first answer out of memory
    await harness.press(_buttons(first)["Show passages"], {**first, "message_id": 12})
    _assert_passages_shown(harness, reply_to=12)


def _corrupt(data_dir: Path, record: str) -> None:
    with sqlite3.connect(data_dir / "usage.sqlite3") as db:
        db.execute("UPDATE citations SET record = ?", (record,))


@pytest.mark.parametrize(
    "record",
    [
        "{not json",
        '{"v": 99, "citations": []}',
        '{"v": 1, "citations": [{"number": 1}]}',
        '{"v": 1, "citations": "oops"}',
    ],
)
async def test_an_unreadable_saved_answer_gets_the_polite_message(
    harness_factory: Any, tmp_path: Path, record: str, caplog: Any
) -> None:
    before: Harness = await harness_factory()
    answer = await _answered(before, "Why did OpenAI leave Scale AI?")
    _corrupt(tmp_path, record)
    after: Harness = await harness_factory()
    sent_before = len(after.tg.sent())
    await after.press(_buttons(answer)["Show passages"], answer)
    [ack] = _callback_answers(after)
    assert ack["text"] == GONE and ack["show_alert"] is True
    assert len(after.tg.sent()) == sent_before  # no apology, no half-rendered passages
    assert "unreadable saved citations" in caplog.text


@pytest.mark.parametrize("data", ["pas:0123456789ab", "pas:", "pas:' OR 1=1 --"])
async def test_an_unknown_answer_gets_the_polite_message(harness: Harness, data: str) -> None:
    await harness.press(data, {"chat_id": 7, "message_id": 3})
    [ack] = _callback_answers(harness)
    assert ack["text"] == GONE and ack["show_alert"] is True
    assert harness.tg.sent() == []


async def test_a_deleted_row_gets_the_polite_message(harness_factory: Any, tmp_path: Path) -> None:
    before: Harness = await harness_factory()
    answer = await _answered(before, "Why did OpenAI leave Scale AI?")
    with sqlite3.connect(tmp_path / "usage.sqlite3") as db:
        db.execute("DELETE FROM citations")
    after: Harness = await harness_factory()
    await after.press(_buttons(answer)["Show passages"], answer)
    assert _callback_answers(after)[-1]["text"] == GONE
    assert after.tg.sent() == []


async def test_a_vote_after_a_restart_is_thanked_in_the_answer_language(
    harness_factory: Any, tmp_path: Path
) -> None:
    before: Harness = await harness_factory()
    answer = await _answered(before, "Mengapa OpenAI meninggalkan Scale AI?")
    await before.app.shutdown()  # the language kept in memory is gone with the process

    after: Harness = await harness_factory()
    await after.press(_buttons(answer)["👍"], answer)
    assert _callback_answers(after)[-1]["text"] == "Terima kasih, suara Anda sudah dicatat."
    with sqlite3.connect(tmp_path / "usage.sqlite3") as db:
        assert db.execute("SELECT vote FROM votes").fetchall() == [("up",)]
