"""Scheduled ingestion keeps going after a failed pass and stops promptly when asked."""

from __future__ import annotations

import threading
import time

from ingest.schedule import repeat


def test_a_failing_pass_does_not_end_the_schedule() -> None:
    stop = threading.Event()
    calls: list[float] = []

    def job() -> int:
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise RuntimeError("corrupt input nobody foresaw")
        stop.set()
        return 0

    assert repeat(job, 0.01, stop) == 0
    assert len(calls) == 2


def test_stop_interrupts_the_wait() -> None:
    stop = threading.Event()
    threading.Timer(0.2, stop.set).start()
    started = time.monotonic()
    assert repeat(lambda: 0, 60.0, stop) == 0
    assert time.monotonic() - started < 5
