"""Webhook mode answers a malformed JSON body with 400 (a real HTTP server, PTB's own webhook app)."""

from __future__ import annotations

import asyncio

import httpx
import tornado.httpserver
from telegram import Bot
from telegram.ext._utils.webhookhandler import WebhookAppClass

from bot.telegram.webhook import install_strict_json
from tests.conftest import free_port

SECRET = "webhook-secret-123"


async def test_malformed_json_gets_400_and_a_good_update_200() -> None:
    install_strict_json()
    queue: asyncio.Queue[object] = asyncio.Queue()
    app = WebhookAppClass("/telegram", Bot("123456:" + "A" * 35), queue, secret_token=SECRET)
    port = free_port()
    server = tornado.httpserver.HTTPServer(app)
    server.listen(port, "127.0.0.1")
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    url = f"http://127.0.0.1:{port}/telegram"
    try:
        async with httpx.AsyncClient() as client:
            bad = await client.post(url, content=b'{"update_id": 1, "message": ', headers=headers)
            not_utf8 = await client.post(url, content=b"\xff\xfe{}", headers=headers)
            wrong_secret = await client.post(
                url, content=b"{", headers={**headers, "X-Telegram-Bot-Api-Secret-Token": "x"}
            )
            good = await client.post(url, content=b'{"update_id": 5}', headers=headers)
    finally:
        server.stop()
    assert (bad.status_code, not_utf8.status_code) == (400, 400)
    assert wrong_secret.status_code == 403
    assert good.status_code == 200 and queue.qsize() == 1
