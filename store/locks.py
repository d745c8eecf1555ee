"""Store-wide locks that every process (and every host) writing to one library sees.

Two are used (see docs/operations.md, "What may run at the same time"):

- `write`: held for each incremental write (sync, upsert, remove) and for the short catch-up-and-switch at
  the end of a rebuild, so no write can land between a rebuild's last look at the serving collection and
  its switch.
- `ingest`: held for a whole `python -m ingest` run, so two runs never embed the same files twice or race
  two rebuilds.

Embedded mode: an `flock` on a small file next to the Chroma folder. The kernel releases it when its holder
dies, so a killed run never leaves it behind. Server mode: the lock is a tiny Chroma collection
(`<library>__lock_<name>`), created by whoever takes it; creating a collection that exists fails on the
server, which makes taking it atomic for every host. The holder renews it every few seconds; one not renewed
for `LEASE_SECONDS` (a killed run) is stale and the next contender breaks it.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from chromadb.errors import NotFoundError

from store.chroma_client import guard
from store.errors import StoreBusy
from store.settings import StoreSettings

logger = logging.getLogger(__name__)

_HELD_HERE: set[str] = set()
"""Tokens of the server-mode locks this process holds now (another of its threads may be the holder)."""
LEASE_SECONDS = 60.0
"""A server-mode lock not renewed for this long belongs to a dead process (clocks of the hosts in sync)."""
POLL_SECONDS = 0.2


@dataclass(frozen=True)
class Holder:
    """Who holds a lock, as shown to whoever has to wait for it."""

    pid: int
    host: str
    since: float
    """Epoch seconds when it was taken."""

    @classmethod
    def me(cls) -> Holder:
        return cls(os.getpid(), socket.gethostname(), time.time())

    def describe(self) -> str:
        started = datetime.fromtimestamp(self.since).astimezone().strftime("%H:%M %Z")
        return f"since {started} (pid {self.pid} on {self.host})"


class Lock(Protocol):
    def acquire(self, wait: float | None) -> None:
        """Take the lock; wait up to `wait` seconds (None: as long as it takes), else raise `StoreBusy`."""

    def release(self) -> None: ...

    def holder(self) -> Holder | None:
        """Who holds it now, if anyone is known to."""


def busy_message(what: str, holder: Holder | None) -> str:
    who = holder.describe() if holder else "(holder unknown)"
    return f"Another {what} is in progress {who}."


def _deadline(wait: float | None) -> float | None:
    return None if wait is None else time.monotonic() + wait


def _expired(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


class FileLock:
    """Embedded mode: `flock` on `<chroma folder>.<name>.lock`; the file's text names the holder."""

    def __init__(self, path: Path, what: str) -> None:
        self.path = path
        self._what = what
        self._fd: int | None = None

    def acquire(self, wait: float | None) -> None:
        import fcntl  # POSIX only, like the embedded Chroma folder this guards

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline, announced = _deadline(wait), False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if _expired(deadline):
                    os.close(fd)
                    raise StoreBusy(busy_message(self._what, self.holder())) from None
                if not announced:
                    logger.info("waiting for lock=%s held %s", self.path.name, _described(self.holder()))
                    announced = True
                if deadline is None:
                    fcntl.flock(fd, fcntl.LOCK_EX)  # the kernel wakes us: no polling, no starving
                    break
                time.sleep(POLL_SECONDS)
        me = Holder.me()
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": me.pid, "host": me.host, "since": me.since}).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.ftruncate(fd, 0)  # before unlocking: nobody reads a stale holder afterwards
            os.close(fd)  # closing the descriptor drops the flock

    def holder(self) -> Holder | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8") or "null")
            return Holder(int(data["pid"]), str(data["host"]), float(data["since"])) if data else None
        except (OSError, ValueError, KeyError, TypeError):
            return None


def _described(holder: Holder | None) -> str:
    return holder.describe() if holder else "(holder unknown)"


class ChromaLock:
    """Server mode: the lock is the collection `name`; its metadata names the holder and its last renewal."""

    def __init__(self, client: Any, name: str, what: str, lease: float = LEASE_SECONDS) -> None:
        self._client = client
        self._name = name
        self._what = what
        self._lease = lease
        self._coll: Any = None
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        self._token = ""

    def acquire(self, wait: float | None) -> None:
        deadline, announced = _deadline(wait), False
        while True:
            me = Holder.me()
            token = uuid.uuid4().hex
            meta = {"pid": me.pid, "host": me.host, "since": me.since, "renewed": me.since, "token": token}
            try:
                with guard("take lock"):
                    self._coll = self._client.create_collection(
                        self._name, metadata=meta, embedding_function=None
                    )
                break
            except Exception as exc:
                if "already exists" not in str(exc).lower():
                    raise
            current = self._read()
            if current is None:
                continue  # released between our attempt and the look: try again at once
            if _left_behind(current) or time.time() - float(current.get("renewed", 0)) > self._lease:
                self._break_stale(current)
                continue
            if _expired(deadline):
                raise StoreBusy(busy_message(self._what, _holder_of(current)))
            if not announced:
                logger.info("waiting for lock=%s held %s", self._name, _described(_holder_of(current)))
                announced = True
            time.sleep(POLL_SECONDS)
        self._token = token
        _HELD_HERE.add(token)
        self._stop.clear()
        self._renewer = threading.Thread(target=self._renew, name=f"lease-{self._name}", daemon=True)
        self._renewer.start()

    def _read(self) -> dict[str, Any] | None:
        try:
            with guard("read lock"):
                coll = self._client.get_collection(self._name, embedding_function=None)
        except NotFoundError:
            return None
        return {**(coll.metadata or {}), "_coll": coll}

    def _break_stale(self, current: dict[str, Any]) -> None:
        """Rename the stale lock by its id before deleting it: a contender that broke it first and took a
        new one (another id) is never touched."""
        logger.warning("breaking stale lock=%s held %s", self._name, _described(_holder_of(current)))
        tomb = f"{self._name}__stale_{uuid.uuid4().hex[:8]}"
        try:
            with guard("break stale lock"):
                current["_coll"].modify(name=tomb)
                self._client.delete_collection(tomb)
        except NotFoundError:
            pass  # someone else broke it first

    def _renew(self) -> None:
        while not self._stop.wait(self._lease / 6):
            try:
                with guard("renew lock"):
                    meta = dict(self._coll.metadata or {})
                    meta["renewed"] = time.time()
                    self._coll.modify(metadata=meta)
            except Exception as exc:  # a missed renewal is retried; only `LEASE_SECONDS` of them break it
                logger.warning("lock renewal failed lock=%s error=%s", self._name, type(exc).__name__)

    def release(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
            self._renewer = None
        coll, self._coll = self._coll, None
        _HELD_HERE.discard(self._token)
        if coll is None:
            return
        # By id, as when breaking: if ours was broken as stale meanwhile, the new holder's lock stays.
        tomb = f"{self._name}__done_{self._token[:8]}"
        try:
            with guard("release lock"):
                coll.modify(name=tomb)
                self._client.delete_collection(tomb)
        except NotFoundError:
            logger.warning("lock=%s was broken as stale while held", self._name)
        except Exception as exc:  # the server went away: the lock is left behind, and broken as stale later
            logger.warning("lock=%s not released error=%s", self._name, type(exc).__name__)

    def holder(self) -> Holder | None:
        return _holder_of(self._read())


def open_lock(settings: StoreSettings, client: Any, name: str, what: str) -> Lock:
    """Lock `name` of the configured library; `what` names the work in the busy message ("ingest run")."""
    if settings.chroma_host:
        return ChromaLock(client, f"{settings.collection}__lock_{name}", what)
    folder = settings.resolved_chroma_path()
    return FileLock(folder.parent / f"{folder.name}.{settings.collection}.{name}.lock", what)


@contextmanager
def held(lock: Lock, wait: float | None) -> Iterator[None]:
    lock.acquire(wait)
    try:
        yield
    finally:
        lock.release()


def _left_behind(meta: dict[str, Any]) -> bool:
    """A lock taken on this host by a process that is gone, or by this very process (whose earlier release
    failed because the server was away: this process never waits for itself): stale without waiting for its
    lease to run out."""
    if meta.get("host") != socket.gethostname() or "pid" not in meta:
        return False
    pid = int(meta["pid"])
    if pid == os.getpid():
        return str(meta.get("token")) not in _HELD_HERE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, owned by another user
    return False


def _holder_of(meta: dict[str, Any] | None) -> Holder | None:
    if not meta or "pid" not in meta:
        return None
    return Holder(int(meta["pid"]), str(meta.get("host", "?")), float(meta.get("since", 0)))
