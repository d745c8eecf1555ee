"""The error report to the admins' chat stays within Telegram's limit, counted as Telegram counts it."""

from __future__ import annotations

from typing import Any

from bot.telegram.errors import escaped_tail
from bot.telegram.split import TELEGRAM_LIMIT, utf16_len
from tests.bot.telegram.html_check import telegram_html_problems, visible_text
from tests.support.telegram import Harness


def _has_lone_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


async def test_report_full_of_emoji_fits_one_message_and_keeps_the_end(harness_factory: Any) -> None:
    h: Harness = await harness_factory(error_chat_id=-999)

    def broken(question: str, **_: Any) -> Any:
        # 3,000 emoji (6,000 UTF-16 units) and characters that grow when escaped: far over one message.
        raise RuntimeError("💥<&>" * 3000 + " 🇮🇩 last words")

    h.answerer.answer = broken  # type: ignore[method-assign]
    await h.send("question?")
    [report] = h.tg.sent(-999)
    html = report["text"]
    assert telegram_html_problems(html) == []  # includes: at most 4,096 UTF-16 units
    assert utf16_len(html) > TELEGRAM_LIMIT - 8, "the report should use the room it has"
    assert not _has_lone_surrogate(html)
    shown = visible_text(html)
    assert shown.startswith("⚠️ RuntimeError in chat 7\n…")
    assert shown.endswith("💥<&> 🇮🇩 last words\n")


def test_tail_counts_emoji_twice_and_never_splits_a_pair() -> None:
    assert escaped_tail("ab😀", 4) == "ab😀"
    assert escaped_tail("ab😀", 3) == "…😀"
    assert escaped_tail("a😀😀", 4) == "…😀"  # one unit short of a second emoji: it is left out whole
    assert escaped_tail("xx&y", 7) == "…&amp;y"
    assert escaped_tail("xx&y", 6) == "…y"  # `&amp;` does not fit: never half an entity
