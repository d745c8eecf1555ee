"""Webhook mode: a request body that is not JSON gets 400 Bad Request, not 500.

python-telegram-bot's handler parses the body before it guards anything, so malformed JSON escapes as a
server error (500, and a traceback in the log). Telegram never sends such a body; whoever does gets told it
was their request that was wrong. The secret-token and content-type checks still come first.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus

import tornado.web
from telegram.ext._utils import webhookhandler

logger = logging.getLogger(__name__)


class StrictJsonHandler(webhookhandler.TelegramHandler):
    """PTB's webhook handler, answering 400 to a body that does not parse as JSON."""

    async def post(self) -> None:
        self._validate_post()
        try:
            json.loads(self.request.body.decode())
        except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError both are
            logger.warning("webhook request with malformed JSON refused bytes=%s", len(self.request.body))
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST, reason="Malformed JSON") from exc
        await super().post()


def install_strict_json() -> None:
    """Make PTB's webhook server use `StrictJsonHandler` (it looks the handler class up when it starts)."""
    webhookhandler.TelegramHandler = StrictJsonHandler  # type: ignore[misc]
