"""Background work of the bot process: the start-up warm-up, in a thread that never dies noisily.

An exception that escapes a thread would be printed by Python as a raw traceback on stderr, past the log
formatter and the secret scrubber; this wrapper logs it instead (and `logsetup` routes anything
that still escapes through logging too).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Protocol

from store.errors import StoreError

logger = logging.getLogger(__name__)


class WarmsUp(Protocol):
    def warm_up(self) -> int: ...


def warm_up(answerer: WarmsUp) -> None:
    """Run `answerer.warm_up`; a store that went away only makes the first answers slower."""
    try:
        answerer.warm_up()
    except StoreError as exc:
        logger.warning(
            "warm-up skipped; first answers will be slower error=%s reason=%s", type(exc).__name__, exc
        )
    except Exception:
        logger.exception("warm-up failed; first answers will be slower")


def start_warm_up(answerer: WarmsUp) -> threading.Thread:
    """Embed sentence vectors in the background while the first question is typed."""
    thread = threading.Thread(target=warm_up, args=(answerer,), name="warm-up", daemon=True)
    thread.start()
    return thread


_stopping: set[asyncio.Task[None]] = set()


async def stop_task(task: asyncio.Task[None], wait: float = 1.0) -> None:
    """Cancel a helper task (a typing indicator, a live preview, a lock's renewal) and wait for it `wait`
    seconds at most.

    Never longer: a network call in flight can lose the cancellation (the client turns it into a timeout or a
    connection error when the event loop was stalled, as on a replica starved of CPU), and a helper that
    survives a failed call by design would then run on. Awaiting it without a bound held the answer, the
    user's question lock and the update's claim forever. The helper ends by itself at its next look at its
    stop flag."""
    task.cancel()
    await asyncio.wait({task}, timeout=wait)
    if not task.done():
        logger.warning("helper task still running after cancel task=%s", task.get_name())
        _stopping.add(task)  # keep a reference until it ends
        task.add_done_callback(_stopping.discard)
    elif not task.cancelled() and task.exception() is not None:
        logger.debug("helper task ended with error=%s", task.exception())
