"""Opens Chroma (a local folder by default, a `chroma run` server when a host is set) and translates its
connection failures into `StoreUnavailable` at this boundary."""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from store.errors import StoreUnavailable
from store.settings import StoreSettings

logger = logging.getLogger(__name__)

UNAVAILABLE = (
    "The brief library is not reachable right now (the Chroma server does not answer). "
    "Please try again later."
)


def _is_connection_problem(exc: BaseException) -> bool:
    if isinstance(exc, httpx.TransportError | ConnectionError | TimeoutError):
        return True
    # chromadb reports a server it cannot reach as a plain ValueError.
    return isinstance(exc, ValueError) and "connect" in str(exc).lower()


@contextmanager
def guard(what: str) -> Iterator[None]:
    """Turn Chroma connection failures inside the block into `StoreUnavailable` with a polite message."""
    try:
        yield
    except StoreUnavailable:
        raise
    except Exception as exc:
        if not _is_connection_problem(exc):
            raise
        # Only the exception type: messages may carry URLs, and headers may carry the token.
        logger.warning("chroma unreachable during=%s error=%s", what, type(exc).__name__)
        raise StoreUnavailable(UNAVAILABLE) from exc


READ_BATCH = 1000


def read_pages(coll: Any, *, where: dict[str, Any] | None, include: list[str]) -> Iterator[dict[str, Any]]:
    """`coll.get` in pages: a single unbounded get of a large collection overflows SQLite's variable limit."""
    offset = 0
    while True:
        with guard("read"):
            got = coll.get(where=where, include=include, limit=READ_BATCH, offset=offset)
        if got["ids"]:
            yield dict(got)
        if len(got["ids"]) < READ_BATCH:
            return
        offset += READ_BATCH


def open_client(settings: StoreSettings) -> Any:
    """Return a chromadb ClientAPI for the configured mode (typed as Any: chromadb ships no stubs)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        headers = {}
        if settings.chroma_token:
            headers["Authorization"] = f"Bearer {settings.chroma_token.get_secret_value()}"
        logger.info("chroma mode=server host=%s port=%s", settings.chroma_host, settings.chroma_port)
        with guard("connect"):
            return chromadb.HttpClient(
                host=settings.chroma_host,
                port=settings.chroma_port,
                ssl=settings.chroma_ssl,
                headers=headers,
                settings=chroma_settings,
            )
    path = settings.resolved_chroma_path()
    path.mkdir(parents=True, exist_ok=True)
    logger.info("chroma mode=embedded path=%s", path)
    # Two processes opening a new folder at once both create Chroma's tables, and the second fails ("table
    # collections already exists"): opening is one process at a time, under an flock beside the folder.
    with (path.parent / f"{path.name}.open.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def close_client(client: Any) -> None:
    """Release what a client holds: an embedded one's SQLite files and vector indexes (once no other client of
    this process shares its folder), an HTTP one's connections."""
    # chromadb's close stops the Systems of the client and of its admin client (a second HTTP client in
    # server mode) but leaves their connection pools open; those are closed here.
    servers = [getattr(c, "_server", None) for c in (client, getattr(client, "_admin_client", None))]
    client.close()
    for server in servers:
        session = getattr(server, "_session", None)
        if isinstance(session, httpx.Client):
            session.close()


def fresh_client(client: Any, settings: StoreSettings) -> Any:
    """A client that sees what other processes wrote to the same folder since `client` was opened.

    An embedded Chroma keeps its vector-index readers in memory per folder and per process, so after another
    process (the ingestion job) writes, this process would keep serving, and later overwrite, a stale index.
    A new chromadb "System" for the folder reads everything afresh. Server mode needs none of this.
    """
    if settings.chroma_host:
        return client
    from chromadb.api.shared_system_client import SharedSystemClient

    # Forget the cached System for this folder only (clients of other folders keep theirs); the old one is
    # not stopped, so anything still holding it finishes its call and is collected later.
    SharedSystemClient._identifier_to_system.pop(getattr(client, "_identifier", ""), None)
    logger.info("chroma reopened path=%s (changed by another writer)", settings.resolved_chroma_path())
    return open_client(settings)
