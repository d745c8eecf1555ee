"""Background work of the bot process: the start-up warm-up, in a thread that never dies noisily.

An exception that escapes a thread would be printed by Python as a raw traceback on stderr, past the log
formatter and the secret scrubber; this wrapper logs it instead (and `logsetup` routes anything
that still escapes through logging too).
"""

from __future__ import annotations

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
