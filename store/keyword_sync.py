"""Keeps the shared keyword index file (`store.keyword_store`) in step with the serving Chroma collection.

- A write through the library applies its own change to the file (the chunks of the briefs it wrote or
  removed) in the same step that moves the active pointer, and records the pointer version it produced: other
  processes on the host only replay it (`KeywordView`), nobody re-reads the collection.
- A process that finds the file behind the pointer (a writer on another host of a Chroma server, a crash
  between the Chroma write and the file's, the new collection of a rebuild) catches up by comparing briefs:
  one scan of first-chunk metadata, then the chunks of the briefs whose content hash or chunk count differ.
- The file is named after the analysis fingerprint: when the analysis changes there is no file yet, and one
  is built whole from Chroma's chunk texts into a temporary file that is renamed into place when complete.

A lock file serialises catch-ups and builds across the host's processes.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from store.analysis import Analyzer
from store.chroma_client import read_pages
from store.collections import ActiveState
from store.indexer import first_chunk_metadatas
from store.keyword_store import FORMAT, ChunkRow, KeywordStore, brief_key

logger = logging.getLogger(__name__)

BUILD_BATCH = 20_000
"""Chunks per transaction (and segment) of a whole build or a large catch-up."""
BRIEF_BATCH = 200
"""Briefs whose chunks are read from Chroma in one request."""


def index_path(folder: Path, library: str, analyzer: Analyzer) -> Path:
    return folder / f"{library}-{analyzer.fingerprint()}-v{FORMAT}.sqlite"


def chunk_rows(coll: Any, brief_ids: Sequence[str]) -> Iterator[ChunkRow]:
    """The chunks of `brief_ids` as Chroma holds them."""
    for start in range(0, len(brief_ids), BRIEF_BATCH):
        where = {"brief_id": {"$in": list(brief_ids[start : start + BRIEF_BATCH])}}
        for page in read_pages(coll, where=where, include=["documents", "metadatas"]):
            for cid, text, meta in zip(page["ids"], page["documents"], page["metadatas"], strict=True):
                yield ChunkRow(cid, text or "", dict(meta or {}))


def all_rows(coll: Any) -> Iterator[ChunkRow]:
    for page in read_pages(coll, where=None, include=["documents", "metadatas"]):
        for cid, text, meta in zip(page["ids"], page["documents"], page["metadatas"], strict=True):
            yield ChunkRow(cid, text or "", dict(meta or {}))


def _batches(rows: Iterator[ChunkRow], size: int) -> Iterator[list[ChunkRow]]:
    batch: list[ChunkRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class KeywordSync:
    """The writing side of one library's index file in this process."""

    def __init__(self, path: Path, analyzer: Analyzer) -> None:
        self.path = path
        self._analyzer = analyzer
        self._store: KeywordStore | None = None
        self._thread_lock = threading.Lock()
        self.builds = 0  # whole builds done by this process (tests and logs)
        self.catch_ups = 0

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    @contextmanager
    def _host_lock(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._thread_lock, open(self.path.with_suffix(".lock"), "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _opened(self) -> KeywordStore | None:
        if self._store is None and self.path.exists():
            self._store = KeywordStore(self.path, self._analyzer)
        return self._store

    # -- keeping up ------------------------------------------------------------------------------------------

    def catch_up(self, coll: Any, state: ActiveState) -> None:
        """Bring the file to `state` (build it whole when there is none); a no-op when it is there already."""
        with self._host_lock():
            store = self._opened()
            if store is None:
                self._build_whole(coll, state)
                return
            if store.synced() == (state.name, state.version):
                return
            started = time.perf_counter()
            with store.writing() as writer:
                held = writer.held_briefs()
            stored = {str(m["brief_id"]): brief_key(m) for m in first_chunk_metadatas(coll)}
            stale = [b for b, v in held.items() if stored.get(b) != v]
            fresh = [b for b, v in stored.items() if held.get(b) != v]
            with store.writing() as writer:
                writer.remove_briefs(stale)
            for batch in _batches(self._rows_of(coll, fresh, len(stored)), BUILD_BATCH):
                with store.writing() as writer:
                    writer.add(batch)
            with store.writing() as writer:
                writer.set_synced(state.name, state.version)
            self.catch_ups += 1
            logger.info(
                "keyword index caught up version=%s briefs_removed=%s briefs_read=%s seconds=%.1f",
                state.version, len(stale), len(fresh), time.perf_counter() - started,
            )  # fmt: skip

    @staticmethod
    def _rows_of(coll: Any, brief_ids: list[str], stored: int) -> Iterator[ChunkRow]:
        """The chunks of `brief_ids`: asked for by brief, or (most of the collection) read in one pass."""
        if len(brief_ids) <= stored // 2:
            yield from chunk_rows(coll, brief_ids)
            return
        wanted = set(brief_ids)
        for row in all_rows(coll):
            if row.meta.get("brief_id") in wanted:
                yield row

    def _build_whole(self, coll: Any, state: ActiveState) -> None:
        started = time.perf_counter()
        building = self.path.with_suffix(".building")
        for leftover in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
            leftover.unlink(missing_ok=True)
        store = KeywordStore(building, self._analyzer)
        try:
            store.set_fingerprint(self._analyzer.fingerprint())
            chunks = 0
            for batch in _batches(all_rows(coll), BUILD_BATCH):
                with store.writing() as writer:
                    writer.add(batch)
                chunks += len(batch)
            with store.writing() as writer:
                writer.set_synced(state.name, state.version)
        finally:
            store.close()
        # Files of another analysis are left alone: a process still running the older code may use its own.
        os.replace(building, self.path)
        self.builds += 1
        logger.info("keyword index built whole chunks=%s seconds=%.1f", chunks, time.perf_counter() - started)

    # -- this process's writes -------------------------------------------------------------------------------

    def record_write(
        self, coll: Any, brief_ids: Sequence[str], touch: Callable[[], ActiveState]
    ) -> ActiveState:
        """Replace the chunks of `brief_ids` with what `coll` now holds, and move the pointer (`touch`) in the
        same step; the file records the new version only when it was current before this write."""
        store = self._opened()
        if store is None:
            return touch()  # no file yet: the next search builds it whole
        rows = list(chunk_rows(coll, list(brief_ids)))
        failure: BaseException | None = None
        with store.writing() as writer:
            before = writer.synced()
            writer.remove_briefs(list(brief_ids))
            writer.add(rows)
            try:
                state = touch()
            except BaseException as exc:  # the file holds what Chroma holds; the pointer did not move
                failure = exc
            else:
                if before == (state.name, state.version - 1):
                    writer.set_synced(state.name, state.version)
        if failure is not None:
            raise failure
        return state

    def mark_stale(self) -> None:
        """After a write that failed midway: the file may differ from Chroma, so have it catch up."""
        store = self._opened()
        if store is not None:
            with store.writing(compact=False) as writer:
                writer.set_stale()
