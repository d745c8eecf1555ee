"""`BriefLibrary`: the store's facade (see docs/architecture.md), and `open_library`, its composition root."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

from store.analysis import Analyzer
from store.chroma_client import fresh_client, guard, open_client
from store.collections import ActiveState, Collections
from store.embedding import Embedder, build_embedder
from store.indexer import READ_BATCH, Indexer, Progress, _no_progress, stored_briefs
from store.keyword import KeywordIndex
from store.records import brief_info, passage
from store.search import HybridSearcher
from store.settings import StoreSettings
from store.types import Brief, BriefInfo, Passage, SearchFilters, StoreStats, SyncReport
from store.writes import rebuild_into, sync_into

logger = logging.getLogger(__name__)


class BriefLibrary:
    """Search and maintain the brief index. `search` may be called from several threads at once."""

    def __init__(self, settings: StoreSettings, client: Any, embedder: Embedder) -> None:
        self._settings = settings
        self._client = client
        self._embedder = embedder
        self._collections = Collections(client, settings.collection, embedder)
        self._indexer = Indexer(
            embedder, chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap
        )
        self._analyzer = Analyzer()
        self._read_lock = threading.Lock()  # guards the cached searcher
        self._write_lock = threading.Lock()  # one write at a time in this process
        self._loaded: ActiveState | None = None
        self._searcher: HybridSearcher | None = None
        self._coll: Any = None

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    # -- reading -------------------------------------------------------------------------------------------

    def _current(self, force: bool = False) -> tuple[Any, HybridSearcher]:
        """The serving collection and a searcher over it, reloaded when the pointer's version moved."""
        with self._read_lock:
            state = self._follow_other_writers()
            if force or state is None or self._searcher is None or state != self._loaded:
                state, coll = self._collections.active()
                keyword = self._load_keyword(coll)
                self._coll, self._loaded = coll, state
                self._searcher = HybridSearcher(coll, keyword, self._embedder, self._settings.search)
                logger.info("searcher loaded collection=%s version=%s", state.name, state.version)
            return self._coll, self._searcher

    def _follow_other_writers(self) -> ActiveState | None:
        """Read the pointer; when another process (or library) wrote since, reopen an embedded client so this
        one neither serves nor overwrites a stale vector index. Call with the read lock held."""
        state = self._collections.state()
        if state is not None and state != self._loaded and state.writer != self._collections.writer:
            self._client = fresh_client(self._client, self._settings)
            self._collections.rebind(self._client)
        return state

    def _load_keyword(self, coll: Any) -> KeywordIndex:
        ids: list[str] = []
        texts: list[str] = []
        metas: list[dict[str, Any]] = []
        offset = 0
        while True:
            with guard("load chunks"):
                got = coll.get(include=["documents", "metadatas"], limit=READ_BATCH, offset=offset)
            ids += got["ids"]
            texts += got["documents"]
            metas += got["metadatas"]
            if len(got["ids"]) < READ_BATCH:
                break
            offset += READ_BATCH
        s = self._settings.search
        return KeywordIndex(ids, texts, metas, self._analyzer, k1=s.bm25_k1, b=s.bm25_b)

    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None) -> list[Passage]:
        k = k or self._settings.search.top_k
        started = time.perf_counter()
        _, searcher = self._current()
        try:
            found = searcher.search(query, k, filters)
        except Exception as exc:
            # A rebuild in another process may have dropped the collection under us: reload once.
            if type(exc).__name__ != "NotFoundError":
                raise
            _, searcher = self._current(force=True)
            found = searcher.search(query, k, filters)
        logger.info("search k=%s returned=%s ms=%.0f", k, len(found), (time.perf_counter() - started) * 1000)
        return found

    def list_briefs(self, scope: str | None = None) -> list[BriefInfo]:
        coll, _ = self._current()
        where = {"scope": scope} if scope is not None else None
        first = {"chunk_index": 0}
        with guard("list briefs"):
            got = coll.get(where={"$and": [first, where]} if where else first, include=["metadatas"])
        infos = [brief_info(m) for m in got["metadatas"]]
        return sorted(infos, key=lambda b: (b.published or date.min, b.id), reverse=True)

    def passages_of(self, brief_id: str) -> list[Passage]:
        coll, _ = self._current()
        with guard("read brief"):
            got = coll.get(where={"brief_id": brief_id}, include=["documents", "metadatas"])
        rows = sorted(
            zip(got["ids"], got["documents"], got["metadatas"], strict=True),
            key=lambda r: r[2]["chunk_index"],
        )
        return [passage(cid, doc, meta) for cid, doc, meta in rows]

    def stats(self) -> StoreStats:
        coll, _ = self._current()
        infos = self.list_briefs()
        with guard("count"):
            chunks = int(coll.count())
        return StoreStats(
            briefs=len(infos),
            chunks=chunks,
            collection=self._loaded.name if self._loaded else "",
            embedding_model=self._embedder.name,
            last_indexed=self._loaded.last_indexed if self._loaded else None,
            by_lang=dict(Counter(b.lang for b in infos)),
            by_source=dict(Counter(b.source for b in infos)),
        )

    # -- writing -------------------------------------------------------------------------------------------

    def sync(
        self,
        briefs: Iterable[Brief],
        scope: str,
        *,
        remove_missing: bool = True,
        progress: Progress | None = None,
    ) -> SyncReport:
        return self._write(briefs, scope, remove_missing, progress)

    def upsert(self, briefs: Iterable[Brief], progress: Progress | None = None) -> SyncReport:
        return self._write(briefs, None, False, progress)

    def _write(
        self, briefs: Iterable[Brief], scope: str | None, remove_missing: bool, progress: Progress | None
    ) -> SyncReport:
        with self._write_lock:
            coll, _ = self._current()
            assert self._loaded is not None
            report = sync_into(
                self._indexer,
                coll,
                list(briefs),
                scope,
                remove_missing=remove_missing,
                progress=progress or _no_progress,
            )
            if report.added or report.updated or report.removed:
                self._collections.touch(self._loaded)
            return report

    def remove(self, brief_ids: list[str]) -> list[str]:
        with self._write_lock:
            coll, _ = self._current()
            assert self._loaded is not None
            present = list(stored_briefs(coll, {"brief_id": {"$in": brief_ids}})) if brief_ids else []
            if present:
                self._indexer.delete(coll, present)
                self._collections.touch(self._loaded)
            return present

    def rebuild(
        self, briefs: Iterable[Brief], scopes: list[str], progress: Progress | None = None
    ) -> SyncReport:
        """Write a fresh collection (other scopes copied over) and switch to it only once it is complete."""
        with self._write_lock:
            with self._read_lock:
                self._follow_other_writers()  # not `_current()`: a model mismatch must not stop a rebuild
            report = rebuild_into(
                self._collections,
                self._indexer,
                self._embedder,
                list(briefs),
                scopes,
                progress=progress or _no_progress,
            )
        self._current(force=True)
        return report

    def close(self) -> None:
        close = getattr(self._embedder, "close", None)
        if callable(close):
            close()
        with self._read_lock:
            self._searcher = None


def open_library(settings: StoreSettings) -> BriefLibrary:
    """Connect to Chroma and load the embedder; `StoreUnavailable` when the server cannot be reached."""
    client = open_client(settings)
    embedder = build_embedder(settings.embedding, settings.data_dir / "cache")
    return BriefLibrary(settings, client, embedder)
