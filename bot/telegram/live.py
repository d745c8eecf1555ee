"""A generated answer shown while it is written, at a pace Telegram allows.

Private chats get a message draft (`sendMessageDraft`, python-telegram-bot 22.6+): a status at once ("Reading
3 briefs…"), then the text as it streams; the final, verified answer is sent as a normal message, which
replaces the ephemeral draft. Groups get one placeholder message, replied to the question and edited at most
once every `GROUP_INTERVAL` seconds (Telegram allows about 20 edits a minute in a group); the final answer
is edited into it. What streamed but failed verification is simply not in the final text.

Progress arrives from the answering worker thread; only the latest state is kept and a pump on the event
loop sends it, so a fast model never queues a backlog of edits.
"""

from __future__ import annotations

import asyncio
import logging
import time

from telegram.error import TelegramError

from bot.answering.types import AnswerProgress
from bot.background import stop_task
from bot.telegram import render, texts
from bot.telegram.sender import Sender

logger = logging.getLogger(__name__)

PRIVATE_INTERVAL = 1.0
GROUP_INTERVAL = 3.0


def status_html(progress: AnswerProgress, lang: str) -> str:
    if progress.stage == "reading":
        template = texts.pick(lang).reading
        return render.escape(template.format(n=progress.briefs, s="" if progress.briefs == 1 else "s"))
    if progress.stage == "translating":  # replaces the streamed text that did not hold up
        return render.escape(texts.pick(lang).translating)
    return render.escape(progress.text) + " …"


class LiveAnswer:
    def __init__(
        self, sender: Sender, chat_id: int, *, private: bool, lang: str, thread_id: int | None, reply_to: int
    ) -> None:
        self._sender = sender
        self._chat = chat_id
        self._private = private
        self._lang = lang
        self._thread = thread_id
        self._reply_to = reply_to
        self._interval = PRIVATE_INTERVAL if private else GROUP_INTERVAL
        self._loop = asyncio.get_running_loop()
        self._latest: AnswerProgress | None = None
        self._changed = asyncio.Event()
        self._pump: asyncio.Task[None] | None = None
        self.placeholder: int | None = None
        """Groups: the message id to edit the final answer into."""
        self.updates = 0
        self._closed = False

    def __call__(self, progress: AnswerProgress) -> None:
        """Called from the worker thread."""
        self._latest = progress
        self._loop.call_soon_threadsafe(self._changed.set)

    async def __aenter__(self) -> LiveAnswer:
        self._pump = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._closed = True
        if self._pump is not None:
            await stop_task(self._pump)

    async def _run(self) -> None:
        last = 0.0
        while not self._closed:
            await self._changed.wait()
            wait = last + self._interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self._changed.clear()
            progress = self._latest
            if progress is None:
                continue
            last = time.monotonic()
            try:
                await self._show(status_html(progress, self._lang))
            except TelegramError as exc:  # a missed preview must not cost the answer
                logger.info("live update failed chat_id=%s error=%s", self._chat, exc)

    async def _show(self, html: str) -> None:
        html = html[:4000]
        if self._private:
            await self._sender.draft(self._chat, self._reply_to, html, thread_id=self._thread)
        elif self.placeholder is None:
            message = await self._sender.send(
                self._chat, html, thread_id=self._thread, reply_to=self._reply_to
            )
            self.placeholder = message.message_id
        else:
            await self._sender.edit(self._chat, self.placeholder, html)
        self.updates += 1
