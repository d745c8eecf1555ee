"""Inline buttons: supporting passages, 👍/👎 votes and /sources pages."""

from __future__ import annotations

import asyncio
import logging

from telegram import Message, Update

from bot.answering.types import Answer
from bot.telegram import render, texts
from bot.telegram.info import sources_page
from bot.telegram.services import BotContext
from bot.telegram.split import split_html
from bot.usage import SavedAnswer

logger = logging.getLogger(__name__)


async def on_passages(update: Update, context: BotContext) -> None:
    """Send the quotes behind an answer's [n] markers, as a reply to that answer."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    answer_id = query.data.split(":", 1)[1]
    # This process's recent answers first; after a restart (or once evicted) the usage log's saved copy.
    answer: Answer | SavedAnswer | None = context.services.answers.get(answer_id)
    if answer is None:
        answer = await asyncio.to_thread(context.services.usage.saved_answer, answer_id)
    message = query.message
    if answer is None or message is None:
        logger.info("passages unavailable answer_id=%s known=%s", answer_id, answer is not None)
        await query.answer(texts.EN.passages_gone if answer is None else None, show_alert=answer is None)
        return
    await query.answer()
    thread = message.message_thread_id if isinstance(message, Message) and message.is_topic_message else None
    for index, part in enumerate(split_html(render.render_passages(answer))):
        await context.services.sender.send(
            message.chat.id, part, thread_id=thread, reply_to=message.message_id if index == 0 else None
        )


async def on_vote(update: Update, context: BotContext) -> None:
    """Record a 👍/👎 vote with the question and answer it is about."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    _, answer_id, vote = query.data.split(":", 2)
    if vote not in ("up", "down"):
        await query.answer()
        return
    lang = await asyncio.to_thread(
        context.services.usage.record_vote, answer_id, query.from_user.id, "up" if vote == "up" else "down"
    )
    logger.info("vote answer_id=%s vote=%s known=%s", answer_id, vote, lang is not None)
    await query.answer(texts.pick(lang).thanks_vote if lang is not None else texts.EN.passages_gone)


async def on_sources_page(update: Update, context: BotContext) -> None:
    """Turn the /sources message to another page."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    await query.answer()
    try:
        page = int(query.data.split(":", 1)[1])
    except ValueError:
        return
    html, markup = await sources_page(context, page)
    await context.services.sender.edit(query.message.chat.id, query.message.message_id, html, markup)
