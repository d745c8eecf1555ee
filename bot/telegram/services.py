"""The objects every handler needs, reached through a typed context instead of globals."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, cast

import httpx
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import Application, CallbackContext, ExtBot

from bot.answering.types import Answer
from bot.coordination import Coordination, CoordinationError, Lease
from bot.ingest_runner import IngestRunner
from bot.settings import BotSettings
from bot.telegram.access import Access
from bot.telegram.ports import AnswerEngine, BotLibrary
from bot.telegram.sender import Sender
from bot.usage import UsageLog

DONE_KEEP_SECONDS = 24 * 3600.0
"""How long a handled update id is remembered; Telegram stops redelivering an update long before."""


class RecentAnswers:
    """The last answers sent, by id, so "Show passages" can reveal their quotes later."""

    def __init__(self, size: int = 1000) -> None:
        self._size = size
        self._items: OrderedDict[str, Answer] = OrderedDict()

    def put(self, answer_id: str, answer: Answer) -> None:
        self._items[answer_id] = answer
        self._items.move_to_end(answer_id)
        while len(self._items) > self._size:
            self._items.popitem(last=False)

    def get(self, answer_id: str) -> Answer | None:
        return self._items.get(answer_id)


@dataclass
class Services:
    settings: BotSettings
    library: BotLibrary
    answerer: AnswerEngine
    usage: UsageLog
    access: Access
    """Who may ask and who is an admin (and, in this process, rate limits and busy flags)."""
    sender: Sender
    runner: IngestRunner
    coordination: Coordination
    """Rate limits, one question per user, the /reindex guard and flood waits: in this process or shared."""
    namespace: str = ""
    """A hash of the bot token: keeps answer ids of different bots apart in one records database."""
    answers: RecentAnswers = field(default_factory=RecentAnswers)
    reindex: asyncio.Task[None] | None = None
    """The running /reindex, if any; set before the task first runs, so a quick second command sees it."""


@dataclass
class Claim:
    """The webhook server's claim on the update being handled, and what became of it."""

    lease: Lease
    settled: bool = False
    """The reply the user waits for was sent (`settle_update`): the update must not be handled again."""
    done: bool = False
    """The update is marked done in the coordination store."""
    redeliver: bool = False
    """Handling failed for a passing reason (`redeliver_update`): hand the update back to be sent again."""


UPDATE_CLAIM: contextvars.ContextVar[Claim | None] = contextvars.ContextVar("update_claim", default=None)
"""The claim on the update being handled, set by the webhook server around each update it processes."""


async def settle_update() -> None:
    """Mark the update being handled as done now, before anything else can go wrong.

    Called right after the reply the user waits for was sent: were this replica to die after it, Telegram's
    redelivery finds the update done instead of answering it a second time. Without a webhook claim (polling,
    unit tests) there is nothing to do."""
    claim = UPDATE_CLAIM.get()
    if claim is not None and not claim.settled:
        claim.settled = True
        with contextlib.suppress(CoordinationError):  # the webhook server tries again when it is over
            await claim.lease.finish(DONE_KEEP_SECONDS)
            claim.done = True


def passing(error: BaseException | None) -> bool:
    """Whether an error is worth handling the update again: Telegram or Redis or the records database could
    not be reached (a Bot API call that broke off or never left), not a refusal or a bug."""
    if isinstance(error, TimedOut):
        # Telegram may have acted on a call that timed out waiting for its answer: sending the reply again
        # could answer twice. Only a call that never left (no free connection, no connection) is retried.
        return isinstance(error.__cause__, httpx.PoolTimeout | httpx.ConnectTimeout)
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        return True  # the connection broke (BadRequest is a NetworkError in python-telegram-bot, but final)
    return isinstance(error, CoordinationError | OperationalError | SQLAlchemyTimeoutError)


def redeliver_update(error: BaseException | None) -> bool:
    """Ask for the update being handled to be sent again, when it failed for a passing reason before its
    reply went out; True when it will be (the caller then says nothing to the user: the retry answers).

    Only a webhook update can be: the server hands its claim back and answers the call with a 5xx, which
    makes Telegram send the update again, to this replica or another."""
    claim = UPDATE_CLAIM.get()
    if claim is None or claim.settled or not passing(error):
        return False
    claim.redeliver = True
    return True


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with the bot's services attached."""

    @property
    def services(self) -> Services:
        return cast(Services, self.bot_data["services"])


BotApp = Application[ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]
