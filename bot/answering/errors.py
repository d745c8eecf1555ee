"""What the engine reports instead of raising: a store error becomes a `Failed` outcome with a code.

The engine returns outcomes (`bot.answering.types.Outcome`); store errors (`store.errors.StoreError`) and a
language model that failed where nothing could stand in are turned into `Failed` here, once, and logged with
their own (English) message for operators. A front end never sees that message: it words the code from its
own table. Anything else is a bug and is raised.
"""

from __future__ import annotations

from bot.answering.types import FailureCode
from store.errors import IndexMissing, StoreError, StoreUnavailable


def failure_of(exc: StoreError) -> FailureCode:
    """The code of a store error, as every front end words it (the console also names errors of start-up)."""
    if isinstance(exc, StoreUnavailable):
        return FailureCode.UNAVAILABLE
    if isinstance(exc, IndexMissing):
        return FailureCode.NOT_INDEXED
    return FailureCode.STORE_FAILED
