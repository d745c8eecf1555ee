"""One bot replica for the multi-replica tests: `python -m tests.bot.telegram.replica_main`.

It serves Telegram through the production path (`bot.telegram.app.serve`: the configured coordination and
records backends, the webhook server or polling) with settings from BRIEFBOT_* variables like `python -m bot`,
but over the hand-written engine and library of `fakes.py`, so a replica starts in a second and a test decides
how long an answer takes: a question containing "slow" takes REPLICA_SLOW_SECONDS. /reindex runs a stand-in
job that reports a summary after REPLICA_INGEST_SECONDS.
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import json
import logging
import os
import signal
import sys
import time
from typing import Any

from bot.__main__ import configure_logging
from bot.answering.types import Outcome
from bot.ingest_runner import IngestRunner
from bot.settings import BotSettings
from bot.telegram.app import AnotherPollerError, serve
from tests.bot.telegram.fakes import FakeAnswerer, FakeLibrary

logger = logging.getLogger("replica")

NAME = os.environ.get("REPLICA_NAME", "replica")


class ScriptedAnswerer(FakeAnswerer):
    def answer(self, question: str, *, context: str | None = None, filters: Any = None) -> Outcome:
        logger.info("answer started replica=%s question=%s", NAME, question)
        if "slow" in question:
            time.sleep(float(os.environ.get("REPLICA_SLOW_SECONDS", "5")))
        return super().answer(question, context=context, filters=filters)


def ingest_stand_in() -> IngestRunner:
    seconds = float(os.environ.get("REPLICA_INGEST_SECONDS", "3"))
    summary = {"event": "summary", "added": ["b1"], "seconds": seconds}
    script = f"import time; time.sleep({seconds}); print({json.dumps(json.dumps(summary))})"
    return IngestRunner(command=[sys.executable, "-c", script])


def _dump_tasks(_signum: int, _frame: Any) -> None:
    """SIGUSR2: every asyncio task's stack to stderr (SIGUSR1: every thread's, by faulthandler)."""
    with contextlib.suppress(RuntimeError):
        for task in asyncio.all_tasks(asyncio.get_running_loop()):
            print(f"--- {task.get_name()}", file=sys.stderr)
            task.print_stack(file=sys.stderr)
    sys.stderr.flush()


def main() -> int:
    # A replica that hangs in a benchmark can be asked where: kill -USR1 (threads), kill -USR2 (tasks).
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    signal.signal(signal.SIGUSR2, _dump_tasks)
    settings = BotSettings()  # type: ignore[call-arg]
    configure_logging(settings, interactive=False)
    logger.info("replica starting name=%s pid=%d", NAME, os.getpid())
    try:
        serve(settings, FakeLibrary(), ScriptedAnswerer(), runner=ingest_stand_in())
    except AnotherPollerError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
