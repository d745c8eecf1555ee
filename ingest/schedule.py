"""Scheduled ingestion (`--every SECONDS`): run, wait, repeat, until SIGTERM or Ctrl-C asks to stop.

Passes share one open library (`KeptOpen`): reopening it loads the embedding model and rebuilds the store's
in-memory keyword index every time, for nothing when the sources did not change. A pass that fails drops it,
so the next pass starts from a fresh connection (a Chroma server that went away and came back).
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import signal
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


class StopRequest:
    """A stop flag a signal handler may set, and a wait that such a set ends at once.

    `threading.Event` will not do: a handler runs in the main thread between two bytecodes, and `Event.set`
    takes the lock that the main thread's own `Event.wait` holds for a moment as it starts and ends. A SIGTERM
    landing in that moment blocks the process for good (the likely cause of a CI run whose child never
    exited). Here `set` takes no lock: it flips a flag and writes a byte to a pipe, and `wait` sleeps in
    `select` on that pipe.
    """

    def __init__(self) -> None:
        self._requested = False
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_write, False)

    def set(self) -> None:
        self._requested = True
        # A full pipe (many signals) or a closed one (after `close`) changes nothing: the flag is what counts.
        with contextlib.suppress(OSError):
            os.write(self._wake_write, b"!")

    def is_set(self) -> bool:
        return self._requested

    def wait(self, timeout: float) -> bool:
        """Sleep up to `timeout` seconds, less if a stop is requested meanwhile; True when one is."""
        if not self._requested:
            # An interrupted select runs the handler, then resumes with the time left (PEP 475); the handler's
            # byte makes that resumed select return at once.
            select.select([self._wake_read], [], [], timeout)
        return self._requested

    def close(self) -> None:
        for fd in (self._wake_read, self._wake_write):
            os.close(fd)


def install_stop_handlers(stop: StopRequest) -> None:
    """SIGTERM and SIGINT set `stop`: the running pass finishes its current source, then the loop ends."""

    def _handle(signum: int, _frame: FrameType | None) -> None:
        stop.set()  # first, and lock-free: see StopRequest
        logger.info("stop requested signal=%s", signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, _handle)
    signal.signal(signal.SIGINT, _handle)


def repeat(job: Callable[[], int], interval: float, stop: StopRequest) -> int:
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
        # wakes at once when a signal sets `stop`, unlike time.sleep
        if stop.wait(interval):
            break
    logger.info("scheduled ingestion stopped passes=%s", passes)
    return status
