"""The in-process backend: single-replica behaviour, with the rate limit and busy flags in `Access`."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.coordination.base import Lease
from bot.telegram.access import Access

_DONE_KEEP = 1000
"""Handled update ids remembered, to drop one Telegram sends twice (it retries a call it saw no answer to)."""


class _Held:
    def __init__(
        self, on_release: Callable[[], None], on_finish: Callable[[float], None] | None = None
    ) -> None:
        self._on_release = on_release
        self._on_finish = on_finish
        self._released = False

    async def release(self) -> None:
        if not self._released:
            self._released = True
            self._on_release()

    async def finish(self, keep_seconds: float) -> None:
        if not self._released and self._on_finish is not None:
            self._on_finish(keep_seconds)
        await self.release()


class MemoryCoordination:
    """Everything in this process: exact for one replica, per replica for several."""

    def __init__(self, access: Access, clock: Callable[[], float] = time.monotonic) -> None:
        self._access = access
        self._clock = clock
        self._reindexing = False
        self._claimed: set[int] = set()
        self._done: dict[int, None] = {}
        self._floods: dict[int, float] = {}

    async def rate_wait(self, user_id: int, question_key: str) -> int:
        return self._access.wait_seconds(user_id)

    async def start_question(self, user_id: int, question_key: str) -> Lease | None:
        if not self._access.try_start(user_id):
            return None
        return _Held(lambda: self._access.finish(user_id))

    async def start_reindex(self) -> Lease | None:
        if self._reindexing:
            return None
        self._reindexing = True

        def release() -> None:
            self._reindexing = False

        return _Held(release)

    async def claim_update(self, update_id: int) -> Lease | None:
        if update_id in self._claimed or update_id in self._done:
            return None
        self._claimed.add(update_id)

        def done(_keep: float) -> None:
            self._done[update_id] = None
            while len(self._done) > _DONE_KEEP:
                del self._done[next(iter(self._done))]

        return _Held(lambda: self._claimed.discard(update_id), done)

    async def update_done(self, update_id: int) -> bool:
        return update_id in self._done

    async def hold_poller(self) -> Lease | None:
        # One process cannot see another without a shared store; Telegram itself refuses a second poller.
        return _Held(lambda: None)

    async def flood_wait(self, chat_id: int) -> float:
        until = self._floods.get(chat_id)
        if until is None:
            return 0.0
        left = until - self._clock()
        if left <= 0:
            del self._floods[chat_id]
            return 0.0
        return left

    async def flood_hit(self, chat_id: int, seconds: float) -> None:
        self._floods[chat_id] = max(self._floods.get(chat_id, 0.0), self._clock() + seconds)

    async def aclose(self) -> None:
        return None
