"""Scheduled ingestion (`--every SECONDS`): run, wait, repeat, until SIGTERM or Ctrl-C asks to stop."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType

logger = logging.getLogger(__name__)


def install_stop_handlers(stop: threading.Event) -> None:
    """SIGTERM and SIGINT set `stop`: the running pass finishes its current source, then the loop ends."""

    def _handle(signum: int, _frame: FrameType | None) -> None:
        logger.info("stop requested signal=%s", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, _handle)
    signal.signal(signal.SIGINT, _handle)


def repeat(job: Callable[[], int], interval: float, stop: threading.Event) -> int:
    """Call `job` now and then every `interval` seconds (measured from the end of a pass)."""
    status = 0
    passes = 0
    while not stop.is_set():
        try:
            status = job()
        except Exception:
            # A scheduled job outlives one bad pass (a bug, a corrupt file the loaders did not foresee).
            logger.exception("scheduled pass failed; trying again next interval")
            status = 1
        passes += 1
        logger.info("scheduled pass done passes=%s status=%s next_in_s=%s", passes, status, interval)
        # Event.wait wakes at once when a signal sets `stop`, unlike time.sleep.
        if stop.wait(interval):
            break
    logger.info("scheduled ingestion stopped passes=%s", passes)
    return status
