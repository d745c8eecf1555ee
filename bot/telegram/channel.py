"""Posts in the curated channels become briefs: every `channel_post` and `edited_channel_post` is upserted.

The bot must be an admin of the channel to receive its posts. It never posts there itself.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Message, Update

from bot.telegram.services import BotContext
from store.errors import StoreError
from store.types import Brief

logger = logging.getLogger(__name__)

_TITLE_CHARS = 120


def _lang_of(text: str) -> str:
    try:
        from store.language import detect_language
    except ImportError:  # the detector ships with the store; without it the brief is simply "und"
        return "und"
    return detect_language(text)


def brief_from_post(post: Message) -> Brief | None:
    """The brief a channel post stands for, or None when it holds no text (a bare photo, a sticker)."""
    text = (post.text or post.caption or "").strip()
    channel = post.chat.username or str(post.chat.id)
    if not text:
        return None
    first_line = text.splitlines()[0].strip()
    title = first_line if len(first_line) <= _TITLE_CHARS else first_line[: _TITLE_CHARS - 1].rstrip() + "…"
    url = f"https://t.me/{channel}/{post.message_id}"
    return Brief(
        id=f"tg-{channel}-{post.message_id}",
        title=title,
        text=text,
        source=post.chat.title or f"@{channel}",
        url=url,
        published=post.date.date(),
        lang=_lang_of(text),
        scope=f"telegram:{channel}",
        origin=url,
    )


async def on_channel_post(update: Update, context: BotContext) -> None:
    """Add or replace the brief of a new or edited post in a curated channel."""
    post = update.channel_post or update.edited_channel_post
    if post is None:
        return
    brief = brief_from_post(post)
    if brief is None:
        logger.info(
            "channel post without text skipped chat=%s message_id=%s", post.chat.username, post.message_id
        )
        return
    try:
        report = await asyncio.to_thread(context.services.library.upsert, [brief])
    except StoreError as exc:
        # Nothing can be said in the channel; the error chat hears about it through the error handler's logs.
        logger.error("channel post not indexed id=%s error=%s", brief.id, exc)
        raise
    logger.info(
        "channel post indexed id=%s added=%d updated=%d", brief.id, len(report.added), len(report.updated)
    )
