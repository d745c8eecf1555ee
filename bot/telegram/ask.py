"""Questions: any text in a private chat; `/ask`, replies to the bot and @mentions in groups.

Privacy mode (BotFather > Bot Settings > Group Privacy) decides what the bot sees in groups. With privacy
on (the default) Telegram delivers commands (`/ask`, `/ask@thisbot`), replies to the bot's messages and,
usually, messages that @mention it; nothing else reaches the bot. With privacy off the bot receives every
message but still answers only those triggers, so it never chats over a group. A question sent as a reply
uses the replied-to message as context; `/ask` sent as a reply with no words asks about that message.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.constants import ChatType

from bot import answer_words
from bot.answering.question import invalid, normalise
from bot.answering.types import Answer, Failed, InvalidQuestion
from bot.coordination import Lease
from bot.telegram import render, texts
from bot.telegram.live import LiveAnswer
from bot.telegram.services import BotContext, Services, settle_update
from bot.telegram.split import split_html
from store.language import detect_language

logger = logging.getLogger(__name__)


async def on_private_text(update: Update, context: BotContext) -> None:
    """Answer any text sent in a private chat."""
    message = update.effective_message
    if message is not None:
        await answer_message(message, context, message.text or "")


async def on_ask(update: Update, context: BotContext) -> None:
    """Answer `/ask question` (also `/ask@thisbot`) in any chat."""
    message = update.effective_message
    if message is not None:
        await answer_message(message, context, " ".join(context.args or []))


async def on_group_text(update: Update, context: BotContext) -> None:
    """Answer a group message only when it replies to the bot or mentions it; stay silent otherwise."""
    message = update.effective_message
    if message is None or not message.text:
        return
    username = (context.bot.username or "").lower()
    if not addressed_to_bot(message, context.bot.id, username):
        return
    mention = f"@{username}"
    question = message.text
    if username:
        question = " ".join(w for w in question.split() if w.lower() != mention)
    await answer_message(message, context, question)


def addressed_to_bot(message: Message, bot_id: int, username: str) -> bool:
    """Whether a group message replies to the bot or @mentions it (`username` lower-case, without @)."""
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return True
    mention = f"@{username}"
    return any(
        (e.type == MessageEntity.MENTION and text.lower() == mention)
        or (e.type == MessageEntity.TEXT_MENTION and e.user is not None and e.user.id == bot_id)
        for e, text in message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items()
    )


async def answer_message(message: Message, context: BotContext, question: str) -> None:
    """Check, answer and reply to one question, keeping the chat's forum thread."""
    services = context.services
    user_id = message.from_user.id if message.from_user else message.chat.id
    chat = message.chat
    thread = message.message_thread_id if message.is_topic_message else None
    private = chat.type == ChatType.PRIVATE

    async def reply(html: str) -> None:
        await services.sender.send(chat.id, html, thread_id=thread, reply_to=message.message_id)

    if not services.access.allows(user_id, chat.id, private):
        logger.info("question refused: not allowed user_id=%s chat_id=%s", user_id, chat.id)
        await reply(render.escape(texts.both("not_allowed")))
        return
    reply_context = _replied_text(message)
    if not question.strip() and reply_context:
        question, reply_context = reply_context, None  # "/ask" as a reply: ask about that message
    # The engine's own rule, checked before a rate-limit slot is spent on a question it would refuse.
    refused = invalid(normalise(question), services.settings.answer.max_question_chars)
    if refused is not None:
        await reply(render.escape(texts.refusal(refused)))
        return
    # Both checks go through the coordination backend: this process's memory, or Redis shared by replicas.
    key = answer_key(services.namespace, message)
    lease = await services.coordination.start_question(user_id, key)
    if lease is None:
        logger.info("question refused: busy user_id=%s message_id=%s", user_id, message.message_id)
        await reply(render.escape(texts.both("busy")))
        return
    try:
        # Counted after "busy", so a refused repeat costs no quota.
        wait = await services.coordination.rate_wait(user_id, key)
        if wait:
            await reply(render.escape(texts.both("rate_limited").format(seconds=wait)))
            return
        await _answer_and_send(
            services, message, question.strip(), reply_context, thread, question_lock=lease
        )
    finally:
        await lease.release()  # a no-op when already released


def answer_key(namespace: str, message: Message) -> str:
    """The id an answer to this message is recorded under: the same on every replica, so an update handled
    again after a replica died mid-answer is recorded once."""
    seed = f"{namespace}:{message.chat.id}:{message.message_id}:{int(message.date.timestamp())}"
    return hashlib.sha256(seed.encode()).hexdigest()[:12]


def _replied_text(message: Message) -> str | None:
    replied = message.reply_to_message
    if replied is None:
        return None
    text = replied.text or replied.caption
    return text.strip() if text and text.strip() else None


async def _answer_and_send(
    services: Services,
    message: Message,
    question: str,
    reply_context: str | None,
    thread: int | None,
    *,
    question_lock: Lease,
) -> None:
    chat_id = message.chat.id
    started = time.perf_counter()
    live = None
    if getattr(services.answerer, "mode", "extractive") == "generated":
        private = message.chat.type == ChatType.PRIVATE
        lang = detect_language(question)
        live = LiveAnswer(services.sender, chat_id, private=private, lang=lang, thread_id=thread,
                          reply_to=message.message_id)  # fmt: skip
    async with services.sender.typing(chat_id, thread), live or contextlib.nullcontext():
        if live is not None:
            answer = await asyncio.to_thread(
                services.answerer.answer, question, context=reply_context, progress=live
            )
        else:
            answer = await asyncio.to_thread(services.answerer.answer, question, context=reply_context)
        if isinstance(answer, InvalidQuestion | Failed):
            logger.warning("question not answered chat_id=%s outcome=%s", chat_id, answer)
            await services.sender.send(
                chat_id, render.escape(texts.refusal(answer)), thread_id=thread, reply_to=message.message_id
            )
            return
    seconds = time.perf_counter() - started
    # A committed sqlite write waits for the disk; off the event loop it cannot hold up other chats.
    answer_id = await asyncio.to_thread(
        services.usage.record_answer,
        question=question,
        answer=answer_words.body(answer)[0],
        lang=answer.lang,
        abstained=answer.abstained,
        seconds=seconds,
        user_id=message.from_user.id if message.from_user else None,
        chat_id=chat_id,
        citations=answer.citations,
        mode=answer.mode,
        answer_id=answer_key(services.namespace, message),
    )
    services.answers.put(answer_id, answer)
    # The work is done and recorded: the user may ask again, and a replica dying from here on leaves no lock
    # behind that would make their next question wait for its expiry.
    await question_lock.release()
    parts = split_html(render.render_answer(answer))
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        markup = answer_buttons(answer_id, answer) if last else None
        if index == 0 and live is not None and live.placeholder is not None:
            await services.sender.edit(chat_id, live.placeholder, part, markup)  # the group's placeholder
            continue
        await services.sender.send(
            chat_id,
            part,
            thread_id=thread,
            reply_to=message.message_id if index == 0 else None,
            markup=answer_buttons(answer_id, answer) if last else None,
        )
    await settle_update()  # sent: a redelivery of this update must not answer it again
    logger.info(
        "answered chat_id=%s seconds=%.2f abstained=%s citations=%d parts=%d",
        chat_id,
        seconds,
        answer.abstained,
        len(answer.citations),
        len(parts),
    )


def answer_buttons(answer_id: str, answer: Answer) -> InlineKeyboardMarkup:
    """ "Show passages" (when there is something to show) and the two feedback buttons."""
    row = [
        InlineKeyboardButton("👍", callback_data=f"vote:{answer_id}:up"),
        InlineKeyboardButton("👎", callback_data=f"vote:{answer_id}:down"),
    ]
    if answer.citations:
        row.insert(
            0, InlineKeyboardButton(texts.pick(answer.lang).show_passages, callback_data=f"pas:{answer_id}")
        )
    return InlineKeyboardMarkup([row])
