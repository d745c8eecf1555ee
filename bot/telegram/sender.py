"""Sending to Telegram with flood control honoured per chat, and the "typing" indicator.

A `RetryAfter` from Telegram concerns one chat: only that chat's sends wait and retry, under that chat's lock,
so other chats keep getting answers (a global rate limiter would stall them all). With a `floods` store (the
coordination backend) the wait is also recorded there, so other replicas hold their sends to that chat until
it is over instead of each running into Telegram's limit on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Protocol, TypeVar

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, RetryAfter, TelegramError

from bot.background import stop_task
from bot.coordination.base import CoordinationError

logger = logging.getLogger(__name__)

T = TypeVar("T")

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_TYPING_EVERY = 4.5  # Telegram shows a chat action for about 5 s


class FloodWaits(Protocol):
    async def flood_wait(self, chat_id: int) -> float: ...

    async def flood_hit(self, chat_id: int, seconds: float) -> None: ...


def _seconds(delay: int | timedelta) -> float:
    return delay.total_seconds() if isinstance(delay, timedelta) else float(delay)


class Sender:
    """Sends and edits HTML messages, one chat at a time, retrying after flood-control waits."""

    def __init__(self, bot: Bot, retries: int = 3, floods: FloodWaits | None = None) -> None:
        self._bot = bot
        self._retries = retries
        self._floods = floods
        # chat id -> (lock, sends using it); an entry lives only while a send to that chat is under way, so
        # a bot that has talked to a million chats does not keep a million locks.
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def _call(self, chat_id: int, call: Callable[[], Awaitable[T]]) -> T:
        lock, users = self._locks.get(chat_id, (asyncio.Lock(), 0))
        self._locks[chat_id] = (lock, users + 1)
        try:
            async with lock:
                return await self._attempts(chat_id, call)
        finally:
            lock, users = self._locks[chat_id]
            if users == 1:
                del self._locks[chat_id]
            else:
                self._locks[chat_id] = (lock, users - 1)

    async def _attempts(self, chat_id: int, call: Callable[[], Awaitable[T]]) -> T:
        for attempt in range(self._retries + 1):
            await self._wait_out_flood(chat_id)
            try:
                return await call()
            except RetryAfter as exc:
                wait = _seconds(exc.retry_after)
                if attempt == self._retries:
                    raise
                logger.warning("flood control chat_id=%s wait=%.1fs attempt=%d", chat_id, wait, attempt + 1)
                await self._share_flood(chat_id, wait)
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    async def _wait_out_flood(self, chat_id: int) -> None:
        """Sleep through a wait Telegram imposed on this chat (seen by any replica)."""
        if self._floods is None:
            return
        try:
            wait = await self._floods.flood_wait(chat_id)
        except CoordinationError as exc:  # without the shared store, Telegram's own answer still counts
            logger.debug("flood wait unknown chat_id=%s error=%s", chat_id, exc)
            return
        if wait > 0:
            logger.info("waiting out flood control chat_id=%s wait=%.1fs", chat_id, wait)
            await asyncio.sleep(wait)

    async def _share_flood(self, chat_id: int, wait: float) -> None:
        if self._floods is None:
            return
        try:
            await self._floods.flood_hit(chat_id, wait)
        except CoordinationError as exc:
            logger.debug("flood wait not shared chat_id=%s error=%s", chat_id, exc)

    async def send(
        self,
        chat_id: int,
        html: str,
        *,
        thread_id: int | None = None,
        reply_to: int | None = None,
        markup: InlineKeyboardMarkup | None = None,
    ) -> Message:
        reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        return await self._call(
            chat_id,
            lambda: self._bot.send_message(
                chat_id,
                html,
                parse_mode=ParseMode.HTML,
                link_preview_options=_NO_PREVIEW,
                message_thread_id=thread_id,
                reply_parameters=reply,
                reply_markup=markup,
            ),
        )

    async def draft(self, chat_id: int, draft_id: int, html: str, *, thread_id: int | None = None) -> None:
        """Show (or update) an ephemeral draft in a private chat while an answer is being written."""
        await self._call(
            chat_id,
            lambda: self._bot.send_message_draft(
                chat_id, draft_id, html, message_thread_id=thread_id, parse_mode=ParseMode.HTML
            ),
        )

    async def edit(
        self, chat_id: int, message_id: int, html: str, markup: InlineKeyboardMarkup | None = None
    ) -> None:
        async def call() -> None:
            try:
                await self._bot.edit_message_text(
                    html,
                    chat_id=chat_id,
                    message_id=message_id,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=_NO_PREVIEW,
                    reply_markup=markup,
                )
            except BadRequest as exc:
                if "not modified" not in str(exc).lower():
                    raise

        await self._call(chat_id, call)

    @contextlib.asynccontextmanager
    async def typing(self, chat_id: int, thread_id: int | None = None) -> AsyncIterator[None]:
        """Show "typing" in the chat until the block ends."""
        done = asyncio.Event()

        async def keep_typing() -> None:
            while not done.is_set():
                try:
                    await self._bot.send_chat_action(chat_id, ChatAction.TYPING, message_thread_id=thread_id)
                except TelegramError as exc:  # a missing indicator must not cost the answer
                    logger.debug("chat action failed chat_id=%s error=%s", chat_id, exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(done.wait(), _TYPING_EVERY)

        task = asyncio.create_task(keep_typing())
        try:
            yield
        finally:
            done.set()
            await stop_task(task)
