"""The webhook server: each update handled exactly once across replicas behind a load balancer.

Telegram (or the load balancer in front of several replicas) POSTs one update per call and sends it again when
a call does not end in a 2xx answer. This server answers only after the update was handled, so an update whose
replica died mid-answer is sent again and picked up by another replica. Before handling, a replica claims the
update (`Coordination.claim_update`, a lock that expires if the replica dies); afterwards the claim becomes a
"done" mark kept for a day. A call for an update that is done answers 200 at once (a duplicate); one whose
claim another replica still holds answers 503, so Telegram tries again later, when the update is done or its
holder's lock has expired. An update whose handling failed for a passing reason before its reply was sent
(the Bot API call broke off or timed out, Redis or the database could not be reached) is handed back and
answered 503 too, so the retry answers it instead of the update being lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging

from aiohttp import web
from telegram import Update

from bot.coordination import Coordination, CoordinationError, Lease
from bot.telegram.services import DONE_KEEP_SECONDS, UPDATE_CLAIM, BotApp, Claim

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_RETRY_LATER = {"Retry-After": "2"}


class WebhookServer:
    """aiohttp handlers for Telegram's webhook calls and a health route for the load balancer."""

    def __init__(self, app: BotApp, coordination: Coordination, *, path: str, secret: str | None) -> None:
        self._app = app
        self._coordination = coordination
        self._path = "/" + path.strip("/")
        self._secret = secret

    def web_app(self) -> web.Application:
        server = web.Application(client_max_size=4 * 1024 * 1024)
        server.router.add_post(self._path, self.handle)
        server.router.add_get("/healthz", self.health)
        return server

    async def health(self, _request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def handle(self, request: web.Request) -> web.Response:
        """Handle one update to the end, then answer; 503 asks Telegram to send it again later."""
        given = request.headers.get(SECRET_HEADER, "")
        if self._secret is not None and not hmac.compare_digest(given.encode(), self._secret.encode()):
            logger.warning("webhook call refused: wrong secret token remote=%s", request.remote)
            return web.Response(status=403)
        try:
            update = Update.de_json(await request.json(), self._app.bot)
        except (ValueError, json.JSONDecodeError, TypeError, KeyError) as exc:
            logger.warning("webhook call refused: not an update error=%s", type(exc).__name__)
            return web.Response(status=400)
        try:
            lease = await self._coordination.claim_update(update.update_id)
            if lease is None:
                if await self._coordination.update_done(update.update_id):
                    logger.info("duplicate update skipped update_id=%s", update.update_id)
                    return web.Response(text="duplicate")
                logger.info(
                    "update held by another replica, asking for a retry update_id=%s", update.update_id
                )
                return web.Response(status=503, headers=_RETRY_LATER)
        except CoordinationError as exc:
            logger.warning("cannot claim update update_id=%s error=%s", update.update_id, exc)
            return web.Response(status=503, headers=_RETRY_LATER)
        claim = Claim(lease)
        token = UPDATE_CLAIM.set(claim)  # handlers may settle it early (`services.settle_update`)
        try:
            # Handler errors go to the application's error handler; what comes out here is a shutdown.
            await self._app.process_update(update)
        except BaseException:
            await asyncio.shield(_release_quietly(lease))
            raise
        finally:
            UPDATE_CLAIM.reset(token)
        if claim.redeliver:
            # Telegram (or the database, or Redis) could not be reached before the reply went out: hand the
            # update back, so that the retry Telegram makes after a failed call answers it, here or elsewhere.
            logger.warning("update failed for a passing reason, retry asked update_id=%s", update.update_id)
            await _release_quietly(lease)
            return web.Response(status=503, headers=_RETRY_LATER)
        if not claim.done:
            try:
                await lease.finish(DONE_KEEP_SECONDS)
            except CoordinationError as exc:  # handled all the same; a redelivery may repeat it
                logger.warning(
                    "update handled but not marked done update_id=%s error=%s", update.update_id, exc
                )
        return web.Response(text="ok")


async def _release_quietly(lease: Lease) -> None:
    with contextlib.suppress(CoordinationError):
        await lease.release()
