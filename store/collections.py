"""Which Chroma collection serves searches, and which model built it.

Brief collections are named `<name>__<timestamp>`. A tiny `<name>__meta` collection holds one record, the
"active pointer": the serving collection's name, a version counter bumped by every write, and the last index
time. A rebuild fills a fresh collection and only then moves the pointer, so a crash midway leaves the old one
serving; searchers compare the version (one small read) and reload their keyword index when it moved.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from chromadb.errors import NotFoundError

from store.chroma_client import guard
from store.embedding.base import Embedder
from store.errors import EmbeddingMismatch

logger = logging.getLogger(__name__)

_POINTER_ID = "active"


@dataclass(frozen=True)
class ActiveState:
    name: str
    version: int
    last_indexed: str | None
    writer: str = ""
    """Token of the client that wrote this state; another token means another process may have written."""


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dt%H%M%S%f")


def _state_from(got: Any) -> ActiveState | None:
    if not got["ids"]:
        return None
    meta = got["metadatas"][0]
    last = str(meta.get("last_indexed") or "") or None
    return ActiveState(str(meta["active"]), int(meta["version"]), last, str(meta.get("writer", "")))


def peek_state(client: Any, base: str) -> ActiveState | None:
    """The pointer of library `base`, or None when there is none; unlike `Collections.state`, creates nothing
    (for probes that must not change what they look at)."""
    try:
        with guard("open meta"):
            meta = client.get_collection(f"{base}__meta", embedding_function=None)
    except NotFoundError:
        return None
    with guard("read pointer"):
        return _state_from(meta.get(ids=[_POINTER_ID], include=["metadatas"]))


def check_recorded_model(name: str, recorded: dict[str, Any], model: str, dim: int | None) -> None:
    """Raise `EmbeddingMismatch` unless collection `name` was built with `model` (and `dim`, when known)."""
    built_with, built_dim = recorded.get("embedding_model"), recorded.get("embedding_dim")
    if built_with != model or (dim is not None and built_dim != dim):
        shown = f"{model} (dim {dim})" if dim is not None else model
        raise EmbeddingMismatch(
            f"The brief index {name!r} was built with {built_with} (dim {built_dim}); you configured "
            f"{shown}. Re-index with --rebuild, or configure the original model again."
        )


class Collections:
    def __init__(self, client: Any, base: str, embedder: Embedder) -> None:
        self.writer = uuid.uuid4().hex
        self._client = client
        self._base = base
        self._embedder = embedder
        self._meta_name = f"{base}__meta"
        self._meta: Any = None

    def rebind(self, client: Any) -> None:
        """Use a reopened client from now on (see `chroma_client.fresh_client`)."""
        self._client = client
        self._meta = None

    def _meta_collection(self) -> Any:
        if self._meta is None:
            with guard("open meta"):
                self._meta = self._client.get_or_create_collection(self._meta_name, embedding_function=None)
        return self._meta

    def state(self) -> ActiveState | None:
        """The pointer as stored now (a single small read; called before every search)."""
        with guard("read pointer"):
            return _state_from(self._meta_collection().get(ids=[_POINTER_ID], include=["metadatas"]))

    def _write_state(self, state: ActiveState) -> ActiveState:
        state = replace(state, writer=self.writer)
        meta = {
            "active": state.name,
            "version": state.version,
            "last_indexed": state.last_indexed or "",
            "writer": self.writer,
        }
        with guard("write pointer"):
            # Chroma wants a vector for every record; the pointer's is a dummy.
            self._meta_collection().upsert(ids=[_POINTER_ID], embeddings=[[1.0]], metadatas=[meta])
        return state

    def create(self) -> tuple[str, Any]:
        """Create an empty brief collection stamped with the embedder's name and dimension."""
        name = f"{self._base}__{_stamp()}"
        with guard("create collection"):
            coll = self._client.create_collection(
                name,
                embedding_function=None,
                metadata={"embedding_model": self._embedder.name, "embedding_dim": self._embedder.dim},
                configuration={"hnsw": {"space": "cosine"}},
            )
        logger.info("collection created name=%s model=%s", name, self._embedder.name)
        return name, coll

    def open(self, name: str, *, check: bool = True) -> Any:
        with guard("open collection"):
            coll = self._client.get_collection(name, embedding_function=None)
        if check:
            self.check_model(name, coll.metadata or {})
        return coll

    def drop(self, name: str) -> None:
        with guard("delete collection"):
            self._client.delete_collection(name)

    def check_model(self, name: str, meta: dict[str, Any]) -> None:
        check_recorded_model(name, meta, self._embedder.name, self._embedder.dim)

    def active(self) -> tuple[ActiveState, Any]:
        """The serving collection, created on first use."""
        state = self.state()
        if state is not None:
            try:
                return state, self.open(state.name)
            except NotFoundError:
                # Deleted behind our back (by hand, or a server that lost its data): start an empty one
                # rather than failing every search; the next ingestion run fills it again.
                logger.warning("collection missing name=%s; starting an empty one", state.name)
        name, coll = self.create()
        version = state.version + 1 if state else 1
        return self._write_state(ActiveState(name, version, None)), coll

    def touch(self, previous: ActiveState) -> ActiveState:
        """Record a completed write to the serving collection: bump the version and the index time."""
        current = self.state() or previous
        now = datetime.now(UTC).isoformat(timespec="seconds")
        return self._write_state(ActiveState(current.name, current.version + 1, now))

    def switch(self, name: str) -> ActiveState:
        """Point searches at `name`, then drop every other brief collection of this library."""
        current = self.state()
        version = current.version + 1 if current else 1
        state = self._write_state(ActiveState(name, version, datetime.now(UTC).isoformat(timespec="seconds")))
        logger.info("collection switched active=%s version=%s", name, version)
        self.drop_others(keep=name)
        return state

    def drop_others(self, keep: str) -> None:
        """Delete this library's brief collections other than `keep` (old ones, crash leftovers)."""
        with guard("list collections"):
            names = [c if isinstance(c, str) else c.name for c in self._client.list_collections()]
        ours = re.compile(rf"{re.escape(self._base)}__\d{{8}}t\d+")
        for other in names:
            if ours.fullmatch(other) and other != keep:
                with guard("delete collection"):
                    self._client.delete_collection(other)
                logger.info("collection deleted name=%s", other)
