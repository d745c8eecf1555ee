"""Store locks across real processes: a second taker is told who holds it, a killed holder blocks nobody."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from harness.chroma import ChromaServer
from store.chroma_client import open_client
from store.errors import StoreBusy
from store.locks import ChromaLock, open_lock
from store.settings import StoreSettings
from tests.support.locks import hold_in_child, kill


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.server)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> StoreSettings:
    if request.param == "server":
        server: ChromaServer = request.getfixturevalue("chroma_server")
        return StoreSettings(
            chroma_host=server.host, chroma_port=server.port, collection=f"locks{time.time_ns() % 10**9}"
        )
    return StoreSettings(data_dir=tmp_path / "var", chroma_path=tmp_path / "var" / "chroma")


def test_a_second_taker_is_told_who_holds_the_lock_and_since_when(settings: StoreSettings) -> None:
    holder = hold_in_child(settings)
    try:
        lock = open_lock(settings, open_client(settings), "ingest", "ingest run")
        with pytest.raises(StoreBusy) as caught:
            lock.acquire(0)
        message = str(caught.value)
        assert re.match(
            rf"Another ingest run is in progress since \d\d:\d\d .*\(pid {holder.pid} on ", message
        )
    finally:
        kill(holder)


def test_a_killed_holder_does_not_block_the_next_run(settings: StoreSettings) -> None:
    kill(hold_in_child(settings))
    client = open_client(settings)
    lock = open_lock(settings, client, "ingest", "ingest run")
    if isinstance(lock, ChromaLock):
        # Server mode: the dead holder's record stays until its lease runs out; a short lease for the test.
        lock = ChromaLock(client, f"{settings.collection}__lock_ingest", "ingest run", lease=2.0)
    started = time.monotonic()
    lock.acquire(30)
    try:
        assert time.monotonic() - started < 15
        assert lock.holder() is not None and lock.holder().pid == os.getpid()  # type: ignore[union-attr]
    finally:
        lock.release()
    # Released for good: the next taker gets it at once.
    again = open_lock(settings, client, "ingest", "ingest run")
    again.acquire(0)
    again.release()


@pytest.mark.server
def test_a_lock_left_on_the_server_by_a_dead_process_on_this_host_is_taken_at_once(
    chroma_server: ChromaServer,
) -> None:
    """What a run cut off by a Chroma outage leaves behind: the next run must not wait out the lease."""
    settings = StoreSettings(
        chroma_host=chroma_server.host,
        chroma_port=chroma_server.port,
        collection=f"left{time.time_ns() % 10**9}",
    )
    kill(hold_in_child(settings))
    lock = open_lock(settings, open_client(settings), "ingest", "ingest run")
    started = time.monotonic()
    lock.acquire(0)  # no waiting at all: the holder is known to be dead
    lock.release()
    assert time.monotonic() - started < 5
