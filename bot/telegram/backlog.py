"""The backlog: messages Telegram kept while the bot was down, delivered right after it starts.

Telegram hands them over through the normal channel (the first `getUpdates`, or webhook calls after
`setWebhook`), so nothing marks them except their date. `BacklogFilter` runs before every other handler and
treats a message dated before the start as backlog:

- older than `backlog_max_age` seconds at start: skipped, never answered (the asker has moved on);
- otherwise held until the backlog has finished arriving (no backlog message for `settle` seconds); then
  only the last request of each sender in each chat goes on to the handlers. The earlier ones are superseded:
  the user typically rephrased. A message arriving after the start also supersedes a held one.

What is filtered are new messages in private chats and groups. Channel posts are briefs, not questions, and
button presses refer to the bot's own messages: both pass untouched. Group messages that do not address the
bot pass untouched too (the handlers ignore them anyway), so chatter never supersedes a question.
"""

from __future__ import annotations

import asyncio
import logging
import time

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.telegram.ask import addressed_to_bot
from bot.telegram.services import BotContext

logger = logging.getLogger(__name__)

SETTLE_SECONDS = 1.5
"""Quiet time after the last backlog message before the held ones are released: Telegram sends the backlog
in one burst (polling) or in quick parallel calls (webhook)."""

_Key = tuple[int, int]  # (chat id, sender id)
_Mark = tuple[int, int]  # (date, message id): orders one sender's messages in one chat


class BacklogFilter:
    """Skips stale backlog messages and lets only the last pending request per chat and sender through."""

    def __init__(self, max_age: int, *, started: float | None = None, settle: float = SETTLE_SECONDS) -> None:
        # Telegram dates are whole seconds: a message dated in the start's own second may have been sent
        # after the start, so it counts as new.
        self.started = int(time.time() if started is None else started)
        self.max_age = max_age
        self.settle = settle
        self._latest: dict[_Key, _Mark] = {}
        self._held: list[tuple[_Key, _Mark]] = []
        self._released: set[tuple[_Key, _Mark]] = set()
        self._stale = 0
        self._last_arrival = 0.0
        self._round: asyncio.Task[None] | None = None
        self._decided = asyncio.Event()

    async def __call__(self, update: Update, context: BotContext) -> None:
        """Return to let the update through; raise ApplicationHandlerStop to drop it."""
        message = update.message
        if message is None or message.chat.type == ChatType.CHANNEL:
            return
        key = (message.chat.id, message.from_user.id if message.from_user else message.chat.id)
        mark = (int(message.date.timestamp()), message.message_id)
        if mark[0] >= self.started:
            if key in self._latest:  # a new message supersedes a held one of the same sender
                self._latest[key] = max(self._latest[key], mark)
            return
        self._last_arrival = time.monotonic()
        if self.started - mark[0] > self.max_age:
            self._stale += 1
            self._open_round()
            logger.debug(
                "backlog message skipped as stale chat_id=%s age=%ss", key[0], self.started - mark[0]
            )
            raise ApplicationHandlerStop
        if not _is_request(message, context.bot.id, (context.bot.username or "").lower()):
            return
        self._latest[key] = max(self._latest.get(key, mark), mark)
        self._held.append((key, mark))
        decided = self._open_round()
        await decided.wait()
        if (key, mark) not in self._released:
            raise ApplicationHandlerStop
        self._released.discard((key, mark))

    def _open_round(self) -> asyncio.Event:
        """The event that releases the messages held now; starts the timer that will set it."""
        if self._round is None:
            self._decided = asyncio.Event()
            self._round = asyncio.get_running_loop().create_task(self._close_round(), name="backlog-round")
        return self._decided

    async def _close_round(self) -> None:
        # Every backlog message that arrives meanwhile pushes the end of the quiet time further.
        while True:
            remaining = self._last_arrival + self.settle - time.monotonic()
            if remaining <= 0:
                break
            await asyncio.sleep(remaining)
        held, stale = self._held, self._stale
        self._held, self._stale = [], 0
        released = {(key, mark) for key, mark in held if self._latest[key] == mark}
        self._released |= released
        logger.info(
            "backlog from before the start: answering=%d superseded=%d stale=%d max_age=%ss",
            len(released),
            len(held) - len(released),
            stale,
            self.max_age,
        )
        decided, self._round = self._decided, None
        decided.set()


def _is_request(message: Message, bot_id: int, username: str) -> bool:
    """Whether the bot would reply to this message (so a later one from the same sender replaces it)."""
    if message.chat.type == ChatType.PRIVATE:
        return message.text is not None
    text = message.text or ""
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        return "@" not in command or command.lower().endswith(f"@{username}")
    return bool(text) and addressed_to_bot(message, bot_id, username)
