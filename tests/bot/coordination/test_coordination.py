"""The coordination contract, on both backends: the in-process one and a real Redis server shared by two
"replicas" (two clients with separate connections, as two processes would have)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.coordination import Coordination, CoordinationError, MemoryCoordination
from bot.coordination.redis_backend import RedisCoordination, RedisLease
from bot.telegram.access import Access
from bot.telegram.settings import TelegramSettings
from harness.servers import RedisServer

pytestmark = pytest.mark.replicas

PER_MINUTE = 3
_namespaces = itertools.count(1)


def _redis(server: RedisServer, namespace: str, ttl: float = 1.0) -> RedisCoordination:
    return RedisCoordination.from_url(server.url, prefix=f"test:{namespace}", ttl=ttl, per_minute=PER_MINUTE)


@pytest.fixture(params=["memory", "redis"])
async def pair(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Coordination, Coordination]]:
    """Two replicas' views: the same object in memory (one process), two Redis clients otherwise."""
    if request.param == "memory":
        memory = MemoryCoordination(Access(TelegramSettings(questions_per_minute=PER_MINUTE)))
        yield memory, memory
        return
    server: RedisServer = request.getfixturevalue("redis_server")
    namespace = f"n{next(_namespaces)}-{time.monotonic_ns()}"
    a, b = _redis(server, namespace), _redis(server, namespace)
    yield a, b
    await a.aclose()
    await b.aclose()


async def test_one_question_per_user_across_replicas(pair: tuple[Coordination, Coordination]) -> None:
    a, b = pair
    held = await a.start_question(7, "q7")
    assert held is not None
    assert await b.start_question(7, "q7-next") is None  # the user's next question, on the other replica
    other = await b.start_question(8, "q8")
    assert other is not None
    await held.release()
    again = await b.start_question(7, "q7")
    assert again is not None
    await again.release()
    await other.release()


async def test_rate_limit_counts_questions_on_every_replica(pair: tuple[Coordination, Coordination]) -> None:
    a, b = pair
    assert [await a.rate_wait(7, "m1"), await b.rate_wait(7, "m2"), await a.rate_wait(7, "m3")] == [0, 0, 0]
    wait = await b.rate_wait(7, "m4")
    assert 55 <= wait <= 60  # the fourth question in a minute waits for the first to leave the window
    assert await a.rate_wait(8, "m5") == 0  # other users are not affected


async def test_reindex_guard_and_update_claims(pair: tuple[Coordination, Coordination]) -> None:
    a, b = pair
    reindex = await a.start_reindex()
    assert reindex is not None and await b.start_reindex() is None
    await reindex.release()
    second = await b.start_reindex()
    assert second is not None
    await second.release()

    claim = await a.claim_update(1001)
    assert claim is not None
    assert await b.claim_update(1001) is None and not await b.update_done(1001)  # in progress elsewhere
    await claim.finish(60)
    assert await b.claim_update(1001) is None and await b.update_done(1001)  # handled: a duplicate


async def test_flood_wait_is_seen_by_the_other_replica(pair: tuple[Coordination, Coordination]) -> None:
    a, b = pair
    assert await b.flood_wait(-100) == 0
    await a.flood_hit(-100, 2.0)
    assert 1.0 < await b.flood_wait(-100) <= 2.0
    await a.flood_hit(-100, 0.5)  # a shorter wait never shortens a longer one
    assert await b.flood_wait(-100) > 1.0


async def _abandon(coordination: RedisCoordination) -> None:
    """What a replica that dies does to its locks: stops renewing them, without releasing anything."""
    for lease in list(coordination._leases):
        await lease._stop()
    await coordination._redis.aclose()


async def test_a_dead_replicas_locks_expire(redis_server: RedisServer) -> None:
    namespace = f"dead-{time.monotonic_ns()}"
    dying, survivor = _redis(redis_server, namespace, ttl=1.0), _redis(redis_server, namespace, ttl=1.0)
    assert await dying.start_question(7, "q7") is not None
    assert await dying.start_reindex() is not None
    assert await dying.claim_update(55) is not None
    assert await dying.hold_poller() is not None
    await asyncio.sleep(1.2)  # alive: renewed every third of the ttl, so still held
    assert await survivor.start_question(7, "q7-next") is None and await survivor.start_reindex() is None
    await _abandon(dying)
    started = time.monotonic()
    while await survivor.start_question(7, "q7-next") is None:
        assert time.monotonic() - started < 2.0, "a dead replica's lock outlived its ttl"
        await asyncio.sleep(0.05)
    assert await survivor.start_reindex() is not None
    assert await survivor.claim_update(55) is not None  # and the update is handled after all
    assert await survivor.hold_poller() is not None
    await survivor.aclose()


async def test_a_holder_held_up_past_the_ttl_takes_its_lock_back_unless_it_was_taken(
    redis_server: RedisServer,
) -> None:
    """A replica starved of CPU renews late: a lock that merely expired is still its own, not one taken."""
    namespace = f"late-{time.monotonic_ns()}"
    slow, other = _redis(redis_server, namespace, ttl=30), _redis(redis_server, namespace, ttl=30)
    kept = await slow.claim_update(1)
    taken = await slow.claim_update(2)
    assert isinstance(kept, RedisLease) and isinstance(taken, RedisLease)
    await slow._redis.delete(kept.key, taken.key)  # both expired while the replica was held up
    assert await other.claim_update(2) is not None  # and another replica took one of them meanwhile
    assert await slow._script("renew", [kept.key], [kept._token, 30_000]) == 1
    assert await other.claim_update(1) is None  # still held by the slow replica
    assert await slow._script("renew", [taken.key], [taken._token, 30_000]) == 0
    await slow.aclose()
    await other.aclose()


async def test_releasing_a_lock_whose_renewal_lost_its_cancellation_does_not_hang(
    redis_server: RedisServer,
) -> None:
    """A renewal in flight that turns its cancellation into an error (a client on a stalled event loop)
    used to keep renewing, and `release()` to wait for it forever, with the lock held."""
    coordination = _redis(redis_server, f"lost-cancel-{time.monotonic_ns()}", ttl=0.3)
    lease = await coordination.start_question(7, "q")
    assert isinstance(lease, RedisLease)
    script = coordination._script
    in_flight = asyncio.Event()

    async def renewal_losing_its_cancellation(name: str, keys: list[str], args: list[Any]) -> Any:
        if name != "renew":
            return await script(name, keys, args)
        in_flight.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            raise CoordinationError("Redis is not reachable (TimeoutError)") from None

    coordination._script = renewal_losing_its_cancellation  # type: ignore[method-assign]
    await asyncio.wait_for(in_flight.wait(), 5)
    started = time.monotonic()
    await asyncio.wait_for(lease.release(), 10)
    assert time.monotonic() - started < 1.0
    coordination._script = script  # type: ignore[method-assign]
    assert await coordination.start_question(7, "another") is not None  # released, not renewed on
    await coordination.aclose()


async def test_a_redelivered_question_takes_over_its_dead_handlers_lock_and_counts_once(
    redis_server: RedisServer,
) -> None:
    namespace = f"again-{time.monotonic_ns()}"
    dying, survivor = _redis(redis_server, namespace, ttl=30), _redis(redis_server, namespace, ttl=30)
    assert await dying.rate_wait(7, "msg-1") == 0
    assert await dying.start_question(7, "msg-1") is not None
    await _abandon(dying)  # died mid-answer; its update is sent again and reaches the survivor
    assert await survivor.start_question(7, "msg-2") is None  # another question still waits its turn
    lease = await survivor.start_question(7, "msg-1")
    assert lease is not None
    assert await survivor.rate_wait(7, "msg-1") == 0  # not counted a second time
    assert [await survivor.rate_wait(7, f"msg-{i}") for i in (2, 3, 4)][-1] > 0  # 3 a minute: msg-4 waits
    await lease.release()
    await survivor.aclose()


async def test_clean_shutdown_releases_at_once(redis_server: RedisServer) -> None:
    namespace = f"clean-{time.monotonic_ns()}"
    leaving, staying = _redis(redis_server, namespace, ttl=30), _redis(redis_server, namespace, ttl=30)
    assert await leaving.hold_poller() is not None
    assert await staying.hold_poller() is None
    await leaving.aclose()
    lease = await staying.hold_poller()
    assert lease is not None
    await staying.aclose()


async def test_unreachable_redis_is_a_coordination_error_without_the_password() -> None:
    from harness.servers import free_port

    down = RedisCoordination.from_url(
        f"redis://:hunter2-secret@127.0.0.1:{free_port()}/0", prefix="x", ttl=5, per_minute=1
    )
    with pytest.raises(CoordinationError) as caught:
        await down.rate_wait(1, "m")
    assert "hunter2-secret" not in str(caught.value)
    await down.aclose()


def test_redis_keys_never_contain_the_token() -> None:
    from bot.coordination import namespace_of

    token = "123456:ABCDEF-secret"
    assert token not in namespace_of(token) and len(namespace_of(token)) == 16
    assert namespace_of(token) == namespace_of(token) != namespace_of("123456:other")
