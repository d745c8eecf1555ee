"""Admin commands: /reindex [full] in the background with a live progress message, and /stats."""

from __future__ import annotations

import asyncio
import logging
import time

from telegram import Message, Update
from telegram.error import TelegramError

from bot.coordination import Lease
from bot.ingest_runner import IngestError
from bot.telegram import render, texts
from bot.telegram.services import BotContext, Services
from store.errors import StoreUnavailable

logger = logging.getLogger(__name__)


async def _admin_message(update: Update, context: BotContext, command: str) -> Message | None:
    """The command's message when its sender is an admin; otherwise refuse politely, log, and return None."""
    message = update.effective_message
    if message is None:
        return None
    user_id = message.from_user.id if message.from_user else None
    if context.services.access.is_admin(user_id):
        return message
    logger.warning(
        "admin command refused command=%s user_id=%s chat_id=%s", command, user_id, message.chat.id
    )
    await context.services.sender.send(
        message.chat.id, render.escape(texts.ADMIN_ONLY), reply_to=message.message_id
    )
    return None


async def on_reindex(update: Update, context: BotContext) -> None:
    """Start an incremental reindex (or a full rebuild with `/reindex full`) in the background."""
    message = await _admin_message(update, context, "reindex")
    if message is None:
        return
    services = context.services
    words = _admin_texts(message)
    running_here = services.runner.busy or (services.reindex is not None and not services.reindex.done())
    # The lock is held by whichever replica runs the job, until it ends (or that replica dies: it expires).
    lease = None if running_here else await services.coordination.start_reindex()
    if lease is None:
        logger.info("reindex refused: one is running here=%s", running_here)
        await services.sender.send(
            message.chat.id, render.escape(words.reindex_running), reply_to=message.message_id
        )
        return
    args = context.args or []
    full = bool(args) and args[0].lower() in ("full", "rebuild", "penuh")
    try:
        status = await services.sender.send(
            message.chat.id, render.render_progress(full, 0, 0, "", words), reply_to=message.message_id
        )
    except BaseException:
        await lease.release()
        raise
    # The run takes minutes; the handler returns at once so the bot keeps answering everyone meanwhile.
    services.reindex = context.application.create_task(
        _reindex_holding(services, status, full, lease, words), name="reindex"
    )


def _admin_texts(message: Message) -> texts.AdminTexts:
    return texts.admin(message.from_user.language_code if message.from_user else None)


async def _reindex_holding(
    services: Services, status: Message, full: bool, lease: Lease, words: texts.AdminTexts
) -> None:
    try:
        await _reindex(services, status, full, words)
    finally:
        await lease.release()


async def _reindex(services: Services, status: Message, full: bool, words: texts.AdminTexts) -> None:
    chat_id, message_id = status.chat.id, status.message_id
    every = services.settings.telegram.progress_every
    last_edit = time.monotonic()

    async def progress(done: int, total: int, stage: str) -> None:
        nonlocal last_edit
        if time.monotonic() - last_edit < every:
            return
        last_edit = time.monotonic()
        try:
            html = render.render_progress(full, done, total, stage, words)
            await services.sender.edit(chat_id, message_id, html)
        except TelegramError as exc:  # a missed progress step must not abort the reindex itself
            logger.warning("progress edit failed chat_id=%s error=%s", chat_id, exc)

    try:
        summary = await services.runner.run(rebuild=full, progress=progress)
    except IngestError as exc:
        await services.sender.edit(chat_id, message_id, render.render_reindex_failed(str(exc), words))
        return
    await services.sender.edit(
        chat_id,
        message_id,
        render.render_reindex_summary(
            full=full,
            added=len(summary.added),
            updated=len(summary.updated),
            removed=len(summary.removed),
            failed=summary.failed,
            seconds=summary.seconds,
            words=words,
        ),
    )


async def on_stats(update: Update, context: BotContext) -> None:
    """Report the library's size, last index time and how questions have gone."""
    message = await _admin_message(update, context, "stats")
    if message is None:
        return
    services = context.services
    try:
        stats = await asyncio.to_thread(services.library.stats)
    except StoreUnavailable:
        await services.sender.send(message.chat.id, render.escape(texts.both("unavailable")))
        return
    usage = await asyncio.to_thread(services.usage.summary)  # reads every answer time: not on the loop
    await services.sender.send(message.chat.id, render.render_stats(stats, usage, _admin_texts(message)))
