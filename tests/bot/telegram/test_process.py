"""The bot started exactly as in production (`python -m bot` with BRIEFBOT_* variables), only the Bot API base
URL pointing at the emulator: it answers the fresh backlog but not the stale one, answers new questions, and
never writes its token to the log."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.emulator import Emulator, TgUser
from tests.bot.telegram.html_check import telegram_html_problems, visible_text
from tests.support.telegram import SAMPLE_BRIEFS, Stack

pytestmark = pytest.mark.e2e

REPO = SAMPLE_BRIEFS.parents[1]


async def test_production_process_bounds_backlog_answers_and_hides_token(
    emulator: Emulator, stack: Stack, tmp_path: Path
) -> None:
    if not (REPO / "bot" / "__main__.py").exists():
        pytest.skip("bot/__main__.py (the process entry point) is not there yet")
    token = emulator.new_token()
    user = TgUser(emulator, token)
    # Both asked while the bot was down; only the one younger than BACKLOG_MAX_AGE (600 s) is answered.
    stale = await user.say("Who leads Meta's superintelligence unit?", date=int(time.time()) - 3600)
    fresh = await user.say("Siapa CEO sementara Scale AI?", date=int(time.time()) - 60)
    env = {
        **os.environ,
        **stack.ingest_env,
        "BRIEFBOT_TELEGRAM__TOKEN": token,
        "BRIEFBOT_TELEGRAM__BASE_URL": emulator.base_url,
        "BRIEFBOT_TELEGRAM__POLL_INTERVAL": "0.05",
        "BRIEFBOT_LOG_LEVEL": "DEBUG",
    }
    log = tmp_path / "bot.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: ASYNC220 - started once; the test then only talks HTTP
            [sys.executable, "-m", "bot"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + 120
        while not any(c["method"] == "getUpdates" for c in await user.calls()):
            assert proc.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the bot never started polling"
            await asyncio.sleep(0.2)
        await user.wait_for(lambda ms: len(ms) >= 1, chat_id=7, within=60)
        live = await user.say("Why did OpenAI stop working with Scale AI?")
        _, answer = await user.wait_for(lambda ms: len(ms) >= 2, chat_id=7, within=60)
        assert "[1]" in visible_text(answer["text"]) and telegram_html_problems(answer["text"]) == []
        await asyncio.sleep(1.0)
        replied = [json.loads(m["reply_parameters"])["message_id"] for m in await user.bot_messages(7)]
        assert stale["message_id"] not in replied, "a question older than the max age was answered"
        assert replied == [fresh["message_id"], live["message_id"]]
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        await user.close()
    text = log.read_text()
    assert text.strip(), "the bot wrote no log at all"
    assert "backlog from before the start: answering=1 superseded=0 stale=1" in text
    assert token not in text
    assert token.split(":")[1] not in text
