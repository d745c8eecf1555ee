"""One ingestion run at a time per store, across processes and hosts (the store's "ingest" lock).

Two runs at once would embed the same files twice, and two rebuilds would race to switch the index. The
second run exits with who holds the store and since when, or with `--wait` queues behind it; a run that was
killed leaves nothing that blocks the next (see `store.locks`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from store.errors import StoreBusy
from store.types import Progress

logger = logging.getLogger(__name__)


HINT = "Try again when it has finished, or add --wait to queue behind it."


@contextmanager
def one_run_at_a_time(library: Any, *, wait: bool, progress: Progress) -> Iterator[None]:
    """Hold the store's ingest lock for the block; `library` None (a dry run, no store yet) takes none.

    Raises `StoreBusy` (a `StoreError`: the CLI prints it) when another run holds it and `wait` is false."""
    if library is None:
        yield
        return
    lock = library.lock("ingest", "ingest run")
    try:
        lock.acquire(0)
    except StoreBusy as exc:
        if not wait:
            raise StoreBusy(f"{exc} {HINT}") from None
        logger.warning("%s Waiting for it to finish.", exc)
        progress(0, 0, "waiting for another run")
        lock.acquire(None)
    try:
        yield
    finally:
        lock.release()
