"""Scheduled ingestion (`--every SECONDS`): run, wait, repeat, until SIGTERM or Ctrl-C asks to stop.

Passes share one open library (`KeptOpen`): reopening it loads the embedding model and rebuilds the store's
in-memory keyword index every time, for nothing when the sources did not change. A pass that fails drops it,
so the next pass starts from a fresh connection (a Chroma server that went away and came back).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Generic, Protocol, TypeVar

logger = logging.getLogger(__name__)


class Closable(Protocol):
    def close(self) -> None: ...


T = TypeVar("T", bound=Closable)


class KeptOpen(Generic[T]):
    """Opens a resource on first use and hands the same one to every later caller until `drop`."""

    def __init__(self, opener: Callable[[], T | None]) -> None:
        self._opener = opener
        self._value: T | None = None

    def get(self) -> T | None:
        """The open resource; None when the opener declines (a dry run with no store yet: asked again)."""
        if self._value is None:
            self._value = self._opener()
        return self._value

    def drop(self) -> None:
        """Close and forget the resource; the next `get` opens a new one."""
        value, self._value = self._value, None
        if value is None:
            return
        try:
            value.close()
        except Exception:
            # Closing after a failure may fail the same way (server gone); the next pass reopens anyway.
            logger.warning("closing the library failed", exc_info=True)


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
