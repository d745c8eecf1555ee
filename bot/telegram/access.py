"""Who may ask, how often, and one question at a time per user.

All checks are in memory: the limits protect a single bot process from being flooded, not a fleet.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from bot.telegram.settings import TelegramSettings

_WINDOW = 60.0


class Access:
    """Allow-lists, a sliding one-minute rate limit per user, and a per-user busy flag."""

    def __init__(self, settings: TelegramSettings, clock: Callable[[], float] = time.monotonic) -> None:
        self._users = frozenset(settings.allowed_user_ids)
        self._chats = frozenset(settings.allowed_chat_ids)
        self._admins = frozenset(settings.admin_ids)
        self._per_minute = settings.questions_per_minute
        self._clock = clock
        self._asked: dict[int, deque[float]] = {}
        self._busy: set[int] = set()
        self._swept = -math.inf

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self._admins

    def allows(self, user_id: int | None, chat_id: int, private: bool) -> bool:
        """Admins always pass; otherwise the user list applies everywhere and the chat list to groups."""
        if self.is_admin(user_id):
            return True
        if self._users and user_id not in self._users:
            # A listed group lets its members ask even when they are not listed one by one.
            return not private and bool(self._chats) and chat_id in self._chats
        return private or not self._chats or chat_id in self._chats

    def wait_seconds(self, user_id: int) -> int:
        """0 and counts the question when the user may ask now; otherwise seconds until they may."""
        now = self._clock()
        self._forget_idle(now)
        asked = self._asked.setdefault(user_id, deque())
        while asked and now - asked[0] >= _WINDOW:
            asked.popleft()
        if len(asked) >= self._per_minute:
            return max(1, math.ceil(_WINDOW - (now - asked[0])))
        asked.append(now)
        return 0

    def _forget_idle(self, now: float) -> None:
        # Users with no question inside the window have nothing left to count; without this sweep (at most
        # once a window) the table would keep one entry per user ever seen for the life of the process.
        if now - self._swept < _WINDOW:
            return
        self._swept = now
        for user_id in [u for u, asked in self._asked.items() if not asked or now - asked[-1] >= _WINDOW]:
            del self._asked[user_id]

    def try_start(self, user_id: int) -> bool:
        """Mark the user busy; False when they already have a question in progress."""
        if user_id in self._busy:
            return False
        self._busy.add(user_id)
        return True

    def finish(self, user_id: int) -> None:
        self._busy.discard(user_id)
