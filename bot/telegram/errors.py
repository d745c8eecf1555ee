"""The one error handler: a short apology to the user, details (never the token) to the admins' chat."""

from __future__ import annotations

import html
import logging
import traceback

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.telegram import texts
from bot.telegram.services import BotContext, redeliver_update
from bot.telegram.split import TELEGRAM_LIMIT, utf16_len

logger = logging.getLogger(__name__)


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    return text


def escaped_tail(text: str, units: int) -> str:
    """The HTML-escaped end of `text` that fits in `units` UTF-16 units, marked with "…" when cut.

    Telegram counts UTF-16 units, where an emoji takes two. The cut falls between code points, so it never
    splits a surrogate pair, and each character is escaped whole, so it never splits an entity (`&amp;`).
    """
    if utf16_len(html.escape(text)) <= units:
        return html.escape(text)
    room = units - 1  # the "…" that marks the cut
    start = len(text)
    while start > 0 and (cost := utf16_len(html.escape(text[start - 1]))) <= room:
        room -= cost
        start -= 1
    return "…" + html.escape(text[start:])


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure, apologise in the chat it happened in, and report it to `error_chat_id` if set."""
    error = context.error
    if redeliver_update(error):
        # A webhook update that failed for a passing reason is sent again and answered then: no apology.
        said = redact(str(error), context.services.settings.secret_values())
        logger.warning("update failed, handing it back for a retry: %s: %s", type(error).__name__, said)
        return
    logger.error("update failed: %s", type(error).__name__, exc_info=error)
    services = context.services
    if (
        isinstance(update, Update)
        and update.effective_chat
        and update.effective_chat.type != ChatType.CHANNEL
    ):
        message = update.effective_message
        thread = message.message_thread_id if message is not None and message.is_topic_message else None
        try:
            await services.sender.send(
                update.effective_chat.id, html.escape(texts.both("apology")), thread_id=thread
            )
        except TelegramError as exc:
            logger.warning("could not apologise chat_id=%s error=%s", update.effective_chat.id, exc)
    chat_id = services.settings.telegram.error_chat_id
    if chat_id is None or error is None:
        return
    details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    # Any configured secret may sit in a traceback (a URL, a header), not only the bot token.
    details = redact(details, services.settings.secret_values())
    where = ""
    if isinstance(update, Update) and update.effective_chat:
        where = f" in chat {update.effective_chat.id}"
    head = f"⚠️ <b>{html.escape(type(error).__name__)}</b>{where}\n<pre>"
    # The traceback's end says what failed: keep as much of it as one message holds.
    room = TELEGRAM_LIMIT - utf16_len(head + "</pre>")
    try:
        await services.sender.send(chat_id, f"{head}{escaped_tail(details, room)}</pre>")
    except TelegramError as exc:
        logger.warning("could not report error to error_chat_id error=%s", exc)
