"""What bot replicas must agree on: per-user rate limits, one question per user, the /reindex guard, per-chat
flood waits, which replica handles an update, and who polls.

One small interface (`Coordination`) with two backends, chosen by `BRIEFBOT_COORDINATION__BACKEND`:

    memory   in this process (the default; one replica), exactly today's single-process behaviour
    redis    in Redis, shared by every replica; every lock expires (`lock_ttl`) unless its holder renews it,
             so a replica that dies never holds a user, /reindex or an update for longer than that

`open_coordination(settings, access, namespace)` builds the configured one; `namespace` keeps bots with
different tokens apart on one Redis server (a hash of the token, never the token).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from bot.coordination.base import Coordination, CoordinationError, Lease
from bot.coordination.memory import MemoryCoordination

if TYPE_CHECKING:
    from bot.coordination.settings import CoordinationSettings
    from bot.telegram.access import Access

__all__ = [
    "Coordination",
    "CoordinationError",
    "Lease",
    "MemoryCoordination",
    "namespace_of",
    "open_coordination",
]


def namespace_of(token: str) -> str:
    """A short, stable name for a bot token that does not reveal it."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def open_coordination(
    settings: CoordinationSettings, access: Access, namespace: str, per_minute: int
) -> Coordination:
    """The configured backend; `access` holds the in-process rate limit and busy flags of the memory one."""
    if settings.backend == "memory":
        return MemoryCoordination(access)
    from bot.coordination.redis_backend import RedisCoordination

    if settings.redis_url is None:
        raise ValueError("BRIEFBOT_COORDINATION__REDIS_URL must be set for the redis coordination backend")
    return RedisCoordination.from_url(
        settings.redis_url.get_secret_value(),
        prefix=f"{settings.key_prefix}:{namespace}",
        ttl=settings.lock_ttl,
        per_minute=per_minute,
    )
