"""The Bot API emulator (tests/telegram_emulator/launcher.js) and a client that plays Telegram users.

The emulator runs as `node launcher.js --port 0` with a pipe on stdin: it prints its port and exits when the
pipe closes, so a killed test run leaves nothing behind. `TgUser` posts messages, commands and button presses
through the emulator's client routes and reads what the bot sent (final state from the history, each step from
the call log).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from telegram import Update

from harness import NotInstalledError

EMULATOR_DIR = Path(__file__).resolve().parents[1] / "tests" / "telegram_emulator"
_ids = itertools.count(500_000)  # user message ids, far from the emulator's own counter
_tokens = itertools.count(1)


@dataclass
class Emulator:
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def new_token(self) -> str:
        """A fresh bot token: the emulator keeps each token's messages apart, so tests cannot interfere."""
        return f"{next(_tokens)}00:test-{time.monotonic_ns()}"


@contextlib.contextmanager
def start_emulator(host: str = "127.0.0.1") -> Iterator[Emulator]:
    """The emulator on `host` (0.0.0.0 lets containers reach it too), on a free port."""
    node = shutil.which("node")
    if node is None or not (EMULATOR_DIR / "node_modules" / "telegram-test-api").is_dir():
        raise NotInstalledError("the Bot API emulator is not installed (run scripts/install)")
    proc = subprocess.Popen(
        [node, str(EMULATOR_DIR / "launcher.js"), "--port", "0", "--host", host],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=EMULATOR_DIR,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the emulator exited before printing its port")
        yield Emulator(int(json.loads(line)["port"]))
    finally:
        if proc.stdin:
            proc.stdin.close()  # the launcher exits when its stdin closes
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()


class TgUser:
    """One Telegram user, talking to the bot with `token` through the emulator."""

    def __init__(self, emulator: Emulator, token: str, user_id: int = 7, name: str = "Ani") -> None:
        self.url = f"http://127.0.0.1:{emulator.port}"
        self.token = token
        self.user = {"id": user_id, "is_bot": False, "first_name": name, "username": name.lower()}
        self._http = httpx.AsyncClient(timeout=10)

    async def close(self) -> None:
        await self._http.aclose()

    async def _post(self, route: str, body: dict[str, Any]) -> Any:
        response = await self._http.post(f"{self.url}/{route}", json=body)
        response.raise_for_status()
        return response.json().get("result")

    def _message(
        self, text: str, chat: dict[str, Any] | None, thread: int | None, reply_to: dict[str, Any] | None
    ) -> dict[str, Any]:
        chat = chat or {"id": self.user["id"], "type": "private", "first_name": self.user["first_name"]}
        message: dict[str, Any] = {
            "botToken": self.token,
            "message_id": next(_ids),
            "date": int(time.time()),
            "from": self.user,
            "chat": chat,
            "text": text,
        }
        if thread is not None:
            message |= {"message_thread_id": thread, "is_topic_message": True}
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return message

    async def say(
        self,
        text: str,
        *,
        chat: dict[str, Any] | None = None,
        thread: int | None = None,
        reply_to: dict[str, Any] | None = None,
        entities: list[dict[str, Any]] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Post a plain message (commands get their bot_command entity automatically)."""
        message = self._message(text, chat, thread, reply_to) | extra
        if extra and not text:
            del message["text"]  # a sticker or photo carries no text at all
        if text.startswith("/") and entities is None:
            entities = [{"type": "bot_command", "offset": 0, "length": len(text.split(maxsplit=1)[0])}]
        if entities:
            message["entities"] = entities
        await self._post("sendMessage", message)
        return message

    async def press(self, data: str, bot_message: dict[str, Any], *, date: int | None = None) -> None:
        """Press an inline button of a bot message (as returned by `bot_messages`) that was sent at `date`."""
        chat_id = int(bot_message["chat_id"])
        chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup", "first_name": "x"}
        message = {
            "message_id": bot_message["message_id"],
            "date": date or int(time.time()),
            "chat": chat,
            "text": "…",
        }
        await self._post(
            "sendCallback", {"botToken": self.token, "from": self.user, "message": message, "data": data}
        )

    async def bot_messages(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Everything the bot sent (in its final, edited state), oldest first, with its message_id."""
        history = await self._post("getUpdatesHistory", {"token": self.token}) or []
        out = []
        for item in history:
            message = item.get("message", {})
            if "chat_id" not in message or "callbackQuery" in item:
                continue  # user updates carry `chat`, the bot's own messages `chat_id`
            if chat_id is not None and int(message["chat_id"]) != chat_id:
                continue
            out.append({**message, "message_id": item["messageId"]})
        return out

    async def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        log = await self._post("callLog", {"token": self.token}) or []
        return [c for c in log if method is None or c["method"] == method]

    async def inject_error(self, method: str, chat_id: int, retry_after: int, times: int = 1) -> None:
        body = {
            "token": self.token,
            "method": method,
            "chatId": chat_id,
            "retryAfter": retry_after,
            "times": times,
        }
        await self._post("injectError", body)

    async def wait_for(
        self, check: Callable[[list[dict[str, Any]]], bool], chat_id: int | None = None, within: float = 30
    ) -> list[dict[str, Any]]:
        """Poll the bot's messages until `check` holds; fail with what was seen otherwise."""
        deadline = time.monotonic() + within
        seen: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            seen = await self.bot_messages(chat_id)
            if check(seen):
                return seen
            await asyncio.sleep(0.1)
        raise AssertionError(f"timed out; the bot sent: {[m.get('text', '')[:80] for m in seen]}")


def buttons_of(message: dict[str, Any]) -> dict[str, str]:
    """Button text -> callback data of a bot message."""
    markup = message.get("reply_markup") or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    return {b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row}


async def start_updates(app: Any, webhook_port: int | None, secret: str, drop_pending: bool = True) -> None:
    """Start the application's updater as `python -m bot` does: polling, or a webhook on 127.0.0.1."""
    assert app.updater is not None
    if webhook_port is None:
        await app.updater.start_polling(
            poll_interval=0.02, allowed_updates=Update.ALL_TYPES, drop_pending_updates=drop_pending
        )
        return
    await app.updater.start_webhook(
        listen="127.0.0.1",
        port=webhook_port,
        url_path="telegram",
        webhook_url=f"http://127.0.0.1:{webhook_port}/telegram",
        secret_token=secret,
        allowed_updates=Update.ALL_TYPES,
        drop_pending_updates=drop_pending,
    )


@contextlib.asynccontextmanager
async def app_running(
    app: Any, webhook_port: int | None, secret: str, drop_pending: bool = True
) -> AsyncIterator[None]:
    """Run the application (polling or webhook) for the body of the block, then stop it cleanly."""
    await app.initialize()
    await app.start()
    await start_updates(app, webhook_port, secret, drop_pending)
    try:
        yield
    finally:
        if webhook_port is not None:
            await app.bot.delete_webhook()  # a webhook left behind would crash the emulator
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
