"""The Redis backend: what every replica must agree on, in one Redis server.

Each operation is one atomic Lua script or command, so two replicas can never both win:

    {prefix}:rate:{user}      sorted set of question times (Redis's clock), a sliding one-minute window
    {prefix}:busy:{user}      a user's one question at a time          lock, value = the holder's token
    {prefix}:reindex          the running /reindex                     lock
    {prefix}:poller           the one process polling Telegram         lock
    {prefix}:update:{id}      an update being handled                  lock; "done" once handled
    {prefix}:flood:{chat}     a flood-control wait                     expires when the wait is over

Locks are set with an expiry of `ttl` seconds and renewed every third of it by their holder; a replica that
dies stops renewing, so whatever it held is free again within `ttl`. A holder that was held up past `ttl` (a
replica starved of CPU) and finds its lock expired but not taken takes it back; one taken meanwhile is lost.
Times come from Redis (`TIME`), so hosts with skewed clocks still share one window.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable
from typing import Any, TypeVar

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from bot.background import stop_task
from bot.coordination.base import CoordinationError, Lease

logger = logging.getLogger(__name__)

T = TypeVar("T")

_WINDOW = 60
_SOCKET_TIMEOUT = 5.0
_DONE = "done"

_RATE = """
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, math.ceil(window - (now - tonumber(oldest[2]))))
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('EXPIRE', KEYS[1], window + 1)
return 0
"""
_QUESTION = """
local held = redis.call('GET', KEYS[1])
if not held or string.sub(held, 1, string.len(ARGV[2])) == ARGV[2] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
  return 1
end
return 0
"""
_RENEW = """
local held = redis.call('GET', KEYS[1])
if held == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if not held then return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) and 1 or 0 end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
_FINISH = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 0
"""
_FLOOD = """
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) end
return 1
"""


class RedisLease:
    """A lock held in Redis, renewed in the background until released or finished."""

    def __init__(self, owner: RedisCoordination, key: str, token: str, ttl_ms: int) -> None:
        self._owner = owner
        self.key = key
        self._token = token
        self._ttl_ms = ttl_ms
        self._stopping = False
        self._renewer = asyncio.create_task(self._renew(), name=f"renew {key}")

    async def _renew(self) -> None:
        while not self._stopping:
            await asyncio.sleep(self._ttl_ms / 3000)
            if self._stopping:
                return
            try:
                kept = await self._owner._script("renew", [self.key], [self._token, self._ttl_ms])
            except CoordinationError:
                logger.warning("lock renewal failed, retrying key=%s", self.key)
                continue
            if not kept:
                logger.warning("lock lost before release key=%s", self.key)
                return

    async def _stop(self) -> None:
        # Bounded: a renewal that lost its cancellation ends at its flag, after its one call (socket timeout).
        self._stopping = True
        await stop_task(self._renewer, wait=_SOCKET_TIMEOUT + 1)

    async def release(self) -> None:
        await self._stop()
        await self._owner._script("release", [self.key], [self._token])

    async def finish(self, keep_seconds: float) -> None:
        await self._stop()
        await self._owner._script(
            "finish", [self.key], [self._token, _DONE, max(1, int(keep_seconds * 1000))]
        )


class RedisCoordination:
    """Rate limits, locks and flood waits shared by every replica through one Redis server."""

    def __init__(self, client: aioredis.Redis, *, prefix: str, ttl: float, per_minute: int) -> None:
        self._redis = client
        self._prefix = prefix
        self._ttl_ms = int(ttl * 1000)
        self._per_minute = per_minute
        self._scripts = {
            name: client.register_script(source)
            for name, source in (
                ("rate", _RATE),
                ("question", _QUESTION),
                ("renew", _RENEW),
                ("release", _RELEASE),
                ("finish", _FINISH),
                ("flood", _FLOOD),
            )
        }
        self._leases: set[RedisLease] = set()

    @classmethod
    def from_url(cls, url: str, *, prefix: str, ttl: float, per_minute: int) -> RedisCoordination:
        client = aioredis.Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=_SOCKET_TIMEOUT,
            socket_connect_timeout=_SOCKET_TIMEOUT,
            health_check_interval=30,
        )
        return cls(client, prefix=prefix, ttl=ttl, per_minute=per_minute)

    async def _call(self, call: Awaitable[T]) -> T:
        try:
            return await call
        except RedisError as exc:
            # redis-py's messages name the host and port, never the password.
            raise CoordinationError(f"Redis is not reachable ({type(exc).__name__}: {exc})") from exc

    async def _script(self, name: str, keys: list[str], args: list[Any]) -> Any:
        return await self._call(self._scripts[name](keys=keys, args=args))

    async def ping(self) -> None:
        await self._call(self._redis.ping())  # type: ignore[arg-type]

    async def _lock(self, key: str, owner: str = "") -> Lease | None:
        token = f"{owner}|{uuid.uuid4().hex}"
        full = f"{self._prefix}:{key}"
        if owner:
            taken = await self._script("question", [full], [token, f"{owner}|", self._ttl_ms])
        else:
            taken = await self._call(self._redis.set(full, token, nx=True, px=self._ttl_ms))
        if not taken:
            return None
        lease = RedisLease(self, full, token, self._ttl_ms)
        self._leases.add(lease)
        lease._renewer.add_done_callback(lambda _: self._leases.discard(lease))
        return lease

    async def rate_wait(self, user_id: int, question_key: str) -> int:
        key = f"{self._prefix}:rate:{user_id}"
        return int(await self._script("rate", [key], [_WINDOW, self._per_minute, question_key]))

    async def start_question(self, user_id: int, question_key: str) -> Lease | None:
        return await self._lock(f"busy:{user_id}", owner=question_key)

    async def start_reindex(self) -> Lease | None:
        return await self._lock("reindex")

    async def claim_update(self, update_id: int) -> Lease | None:
        return await self._lock(f"update:{update_id}")

    async def update_done(self, update_id: int) -> bool:
        value = await self._call(self._redis.get(f"{self._prefix}:update:{update_id}"))
        return bool(value == _DONE)

    async def hold_poller(self) -> Lease | None:
        return await self._lock("poller")

    async def flood_wait(self, chat_id: int) -> float:
        left = int(await self._call(self._redis.pttl(f"{self._prefix}:flood:{chat_id}")))
        return left / 1000 if left > 0 else 0.0

    async def flood_hit(self, chat_id: int, seconds: float) -> None:
        await self._script("flood", [f"{self._prefix}:flood:{chat_id}"], [max(1, int(seconds * 1000))])

    async def aclose(self) -> None:
        """Release what this process still holds (a clean shutdown frees its locks at once), then close."""
        for lease in list(self._leases):
            with contextlib.suppress(CoordinationError):
                await lease.release()
        await self._redis.aclose()
