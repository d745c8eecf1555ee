"""The webhook server on the in-process backend: an update is handled before the call is answered, a second
delivery of a handled update is acknowledged without handling it again, and only Telegram's secret gets in."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp.test_utils import TestClient, TestServer
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.telegram.webhook import SECRET_HEADER, WebhookServer
from tests.support.telegram import Harness

SECRET = "s3cret"
_ids = itertools.count(70_000)


@pytest.fixture
async def client(harness: Harness) -> AsyncIterator[TestClient[Any, Any]]:
    services = harness.app.bot_data["services"]
    server = WebhookServer(harness.app, services.coordination, path="telegram", secret=SECRET)
    async with TestClient(TestServer(server.web_app())) as test_client:
        yield test_client


def _update(text: str, user: int = 7) -> dict[str, Any]:
    message_id = next(_ids)
    chat = {"id": user, "type": "private", "first_name": "U"}
    return {
        "update_id": message_id,
        "message": {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": user, "is_bot": False, "first_name": "U"},
            "text": text,
        },
    }


async def test_an_update_is_answered_before_the_call_returns_and_only_once(
    client: TestClient[Any, Any], harness: Harness
) -> None:
    update = _update("Why did OpenAI leave Scale AI?")
    answer = await client.post("/telegram", json=update, headers={SECRET_HEADER: SECRET})
    assert answer.status == 200
    assert len(harness.tg.sent(7)) == 1  # already sent when the call returned
    again = await client.post("/telegram", json=update, headers={SECRET_HEADER: SECRET})
    assert again.status == 200 and await again.text() == "duplicate"
    assert len(harness.tg.sent(7)) == 1 and len(harness.answerer.questions) == 1


async def test_calls_without_the_secret_or_an_update_are_refused(
    client: TestClient[Any, Any], harness: Harness
) -> None:
    update = _update("question?")
    assert (await client.post("/telegram", json=update)).status == 403
    assert (await client.post("/telegram", json=update, headers={SECRET_HEADER: "wrong"})).status == 403
    assert (await client.post("/telegram", data=b"{", headers={SECRET_HEADER: SECRET})).status == 400
    assert harness.tg.sent(7) == []
    assert (await client.get("/healthz")).status == 200


async def test_an_update_held_by_another_handler_is_sent_again_later(
    client: TestClient[Any, Any], harness: Harness
) -> None:
    services = harness.app.bot_data["services"]
    update = _update("question?")
    held = await services.coordination.claim_update(update["update_id"])  # as if another replica had it
    assert held is not None
    answer = await client.post("/telegram", json=update, headers={SECRET_HEADER: SECRET})
    assert answer.status == 503 and "Retry-After" in answer.headers
    await held.release()  # that handler died without finishing
    assert (await client.post("/telegram", json=update, headers={SECRET_HEADER: SECRET})).status == 200
    assert len(harness.tg.sent(7)) == 1


def _timed_out(cause: Exception) -> TimedOut:
    error = TimedOut()
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("failure", "passing"),
    [
        (NetworkError("httpx.ReadError: "), True),  # a connection closed under the call
        (_timed_out(httpx.PoolTimeout("no free connection")), True),  # a call that never left
        (BadRequest("Message is too long"), False),  # final: retrying cannot help
        (_timed_out(httpx.ReadTimeout("no answer in time")), False),  # Telegram may have sent it: never twice
    ],
)
async def test_an_answer_that_could_not_be_sent_for_a_passing_reason_is_answered_by_the_retry(
    client: TestClient[Any, Any], harness: Harness, failure: Exception, passing: bool
) -> None:
    # The Bot API call carrying the answer breaks off (an overloaded or restarting server): the update must
    # not be marked done, or nobody ever answers it. Telegram sends it again after a failed webhook call.
    harness.tg.broken[7] = [failure]
    update = _update("Why did OpenAI leave Scale AI?")
    services = harness.app.bot_data["services"]
    failed = await client.post("/telegram", json=update, headers={SECRET_HEADER: SECRET})
    if not passing:  # the apology, and the update is done
        assert failed.status == 200
        assert len(harness.tg.sent(7)) == 1 and "Scale AI" not in harness.tg.sent(7)[0]["text"]
        assert await services.coordination.update_done(update["update_id"])
        return
    assert failed.status == 503 and "Retry-After" in failed.headers
    assert harness.tg.sent(7) == []  # no apology: the retry answers
    assert not await services.coordination.update_done(update["update_id"])
    retried = await client.post("/telegram", json=update, headers={SECRET_HEADER: SECRET})
    assert retried.status == 200
    (sent,) = harness.tg.sent(7)
    assert "Scale AI" in sent["text"]
    assert services.usage.summary().questions == 1  # recorded once, under the same answer id
    again = await client.post("/telegram", json=update, headers={SECRET_HEADER: SECRET})
    assert again.status == 200 and await again.text() == "duplicate"
    assert len(harness.tg.sent(7)) == 1
