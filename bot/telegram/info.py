"""/start, /help, /sources and the replies to messages the bot cannot read."""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType

from bot.telegram import render, texts
from bot.telegram.services import BotContext
from store.errors import StoreUnavailable

logger = logging.getLogger(__name__)


async def on_help(update: Update, context: BotContext) -> None:
    """Explain what the bot knows and how to ask, in English and Indonesian."""
    message = update.effective_message
    if message is not None:
        thread = message.message_thread_id if message.is_topic_message else None
        await context.services.sender.send(message.chat.id, texts.HELP, thread_id=thread)


def sources_keyboard(page: int, pages: int) -> InlineKeyboardMarkup | None:
    if pages <= 1:
        return None
    row = []
    if page > 0:
        row.append(InlineKeyboardButton(texts.PREVIOUS_PAGE, callback_data=f"src:{page - 1}"))
    if page < pages - 1:
        row.append(InlineKeyboardButton(texts.NEXT_PAGE, callback_data=f"src:{page + 1}"))
    return InlineKeyboardMarkup([row])


async def sources_page(context: BotContext, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """The HTML and buttons of one page of /sources."""
    services = context.services
    try:
        briefs = await asyncio.to_thread(services.library.list_briefs)
    except StoreUnavailable:
        return render.escape(texts.both("unavailable")), None
    per_page = services.settings.telegram.sources_per_page
    html, pages = render.render_sources_page(briefs, page, per_page)
    return html, sources_keyboard(min(max(page, 0), pages - 1), pages)


async def on_sources(update: Update, context: BotContext) -> None:
    """List the briefs the bot holds, newest first, a page at a time."""
    message = update.effective_message
    if message is None:
        return
    html, markup = await sources_page(context, 0)
    thread = message.message_thread_id if message.is_topic_message else None
    await context.services.sender.send(message.chat.id, html, thread_id=thread, markup=markup)


async def on_not_text(update: Update, context: BotContext) -> None:
    """Tell a private-chat user that only text questions can be answered (stickers, photos, voice...)."""
    message = update.effective_message
    if message is None or message.chat.type != ChatType.PRIVATE:
        return
    await context.services.sender.send(
        message.chat.id, render.escape(texts.both("not_text")), reply_to=message.message_id
    )
