"""`BriefLibrary`: the store's facade (see docs/architecture.md), and `open_library`, its composition root."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from chromadb.errors import NotFoundError

from store.chroma_client import close_client, fresh_client, guard, open_client, read_pages
from store.collections import ActiveState, Collections
from store.embedding import Embedder, build_embedder
from store.indexer import WRITE_BATCH, Indexer, Stored, _no_progress, first_chunk_metadatas
from store.locks import Lock, held, open_lock
from store.rebuild import rebuild_into
from store.records import brief_info, passage
from store.search import HybridSearcher
from store.serving import Serving
from store.settings import StoreSettings
from store.types import Brief, BriefInfo, Passage, Progress, SearchFilters, StoreStats, SyncReport
from store.writes import sync_into

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
        self._serving = Serving(
            self._collections,
            embedder,
            settings.search,
            self._follow_other_writers,
            keyword_folder=settings.resolved_keyword_path(),
            library_name=keyword_file_name(settings),
            reload_in_background=settings.reload_in_background,
        )
        self._write_lock = threading.Lock()  # one write at a time in this process...
        # ...and in every process and host writing to this library (see `store.locks`).
        self._store_lock = open_lock(settings, client, "write", "write to the brief index")
        self._rebuild_lock = threading.Lock()
        self._seen: ActiveState | None = None  # the pointer as this client last saw (or wrote) it
        # Every brief's first-chunk metadata, for the pointer state it was read at: one read serves a whole
        # no-change ingestion pass (its listing, then each source's sync) instead of one Chroma scan per call.
        # This process's own writes carry it forward to the state they produce (`_carry_listing`).
        self._listing: tuple[ActiveState, dict[str, BriefInfo]] | None = None

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    def lock(self, name: str, what: str) -> Lock:
        """Another store-wide lock of this library, e.g. the ingestion job's "one run at a time"."""
        return open_lock(self._settings, self._client, name, what)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """The write lock, held for one write; other processes' writes are caught up with first."""
        with self._write_lock, held(self._store_lock, None):
            self._serving.follow()
            yield

    # -- reading -------------------------------------------------------------------------------------------

    def _current(self, force: bool = False) -> tuple[Any, HybridSearcher]:
        return self._serving.current(force)

    def _loaded_state(self) -> ActiveState:
        state = self._serving.loaded
        if state is None:  # `_current()` always loads one; this guards against misuse
            raise RuntimeError("no collection loaded yet")
        return state

    def _follow_other_writers(self) -> ActiveState | None:
        """Read the pointer; when another process (or library) wrote since this client last looked, reopen an
        embedded client so this one neither serves nor overwrites a stale vector index. Called with the
        serving lock held."""
        state = self._collections.state()
        if state is not None and state != self._seen and state.writer != self._collections.writer:
            client = fresh_client(self._client, self._settings)
            if client is not self._client:  # embedded: the old one holds a whole vector index
                self._serving.client_replaced()
                # Gives back the old client's share of the folder (the System it used is no longer mapped,
                # so nothing is stopped under a call still in flight) and lets it be freed at once.
                close_client(self._client)
            self._client = client
            self._collections.rebind(client)
        self._seen = state
        return state

    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None) -> list[Passage]:
        k = k or self._settings.search.top_k
        started = time.perf_counter()
        _, searcher = self._current()
        try:
            found = searcher.search(query, k, filters)
        except NotFoundError:
            # A rebuild in another process dropped the collection between our pointer read and the query.
            _, searcher = self._current(force=True)
            found = searcher.search(query, k, filters)
        logger.info("search k=%s returned=%s ms=%.0f", k, len(found), (time.perf_counter() - started) * 1000)
        return found

    def _all_briefs(self, coll: Any, state: ActiveState) -> dict[str, BriefInfo]:
        """Every brief `coll` holds at pointer `state`, read once per state (any write moves the pointer)."""
        listing = self._listing
        if listing is None or listing[0] != state:
            # The keyword file holds the same metadata; Chroma is scanned only when the file is not current.
            metas = self._serving.listing(state)
            if metas is None:
                metas = list(first_chunk_metadatas(coll))
            listing = (state, {info.id: info for info in map(brief_info, metas)})
            self._listing = listing
        return listing[1]

    def _briefs_of(self, coll: Any, state: ActiveState, ids: list[str]) -> dict[str, BriefInfo]:
        """The briefs among `ids` that `coll` holds at pointer `state`: from the listing when it is read for
        `state`, else only their rows (a write of a few briefs reads a few, not every brief's metadata)."""
        listing = self._listing
        if listing is not None and listing[0] == state:
            return {i: listing[1][i] for i in ids if i in listing[1]}
        metas = self._serving.listing(state, ids)
        if metas is None:
            metas = []
            for start in range(0, len(ids), WRITE_BATCH):
                part = {"brief_id": {"$in": ids[start : start + WRITE_BATCH]}}
                metas += first_chunk_metadatas(coll, part)
        return {info.id: info for info in map(brief_info, metas)}

    def _scope_briefs(self, coll: Any, state: ActiveState, scope: str) -> dict[str, BriefInfo]:
        """The briefs of one scope at pointer `state`: from the listing when it is read for `state`, else only
        that scope's rows (a no-change pass over one source reads its own briefs, not every brief's)."""
        listing = self._listing
        if listing is not None and listing[0] == state:
            return {i: b for i, b in listing[1].items() if b.scope == scope}
        metas = self._serving.listing(state, scope=scope)
        if metas is None:
            metas = list(first_chunk_metadatas(coll, {"scope": scope}))
        return {info.id: info for info in map(brief_info, metas)}

    def _carry_listing(self, before: ActiveState, after: ActiveState, ids: list[str]) -> None:
        """After this process's write from `before` to `after` of briefs `ids`: a listing read at `before`
        becomes the listing at `after` by replacing those briefs (read back from the keyword file)."""
        listing, self._listing = self._listing, None
        if listing is None or listing[0] != before or after.version != before.version + 1:
            return
        metas = self._serving.listing(after, ids)
        if metas is None:  # the file is not current: the next listing is read whole
            return
        infos = dict(listing[1])  # a copy: another thread may be iterating the old one
        for brief_id in ids:
            infos.pop(brief_id, None)
        infos.update((info.id, info) for info in map(brief_info, metas))
        self._listing = (after, infos)

    @contextmanager
    def _recover_on_error(self) -> Iterator[None]:
        """A write cut short may have changed chunks without moving the pointer: read the listing again, and
        have the keyword file catch up with what Chroma holds."""
        try:
            yield
        except BaseException:
            self._listing = None
            try:
                self._serving.mark_keyword_stale()
            except Exception:  # the write's own error matters more
                logger.warning("could not mark the keyword index stale", exc_info=True)
            raise

    def list_briefs(self, scope: str | None = None) -> list[BriefInfo]:
        coll, _ = self._current()
        state = self._loaded_state()
        held = self._all_briefs(coll, state) if scope is None else self._scope_briefs(coll, state, scope)
        return sorted(held.values(), key=lambda b: (b.published or date.min, b.id), reverse=True)

    def scopes_of(self, brief_ids: list[str]) -> dict[str, str]:
        """The scope (source) of each of `brief_ids` the store holds: which source owns an id."""
        coll, _ = self._current()
        held = self._briefs_of(coll, self._loaded_state(), list(dict.fromkeys(brief_ids)))
        return {brief_id: info.scope for brief_id, info in held.items()}

    def passages_of(self, brief_id: str) -> list[Passage]:
        coll, _ = self._current()
        got: dict[str, list[Any]] = {"ids": [], "documents": [], "metadatas": []}
        for page in read_pages(coll, where={"brief_id": brief_id}, include=["documents", "metadatas"]):
            for key in got:
                got[key] += page[key]
        rows = sorted(
            zip(got["ids"], got["documents"], got["metadatas"], strict=True),
            key=lambda r: r[2]["chunk_index"],
        )
        return [passage(cid, doc, meta) for cid, doc, meta in rows]

    def stats(self) -> StoreStats:
        coll, _ = self._current()
        state = self._loaded_state()
        infos = self.list_briefs()
        with guard("count"):
            chunks = int(coll.count())
        return StoreStats(
            briefs=len(infos),
            chunks=chunks,
            collection=state.name,
            embedding_model=self._embedder.name,
            last_indexed=state.last_indexed,
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
        briefs = list(briefs)
        with self._writing(), self._recover_on_error():
            # The collection only: the searcher is reloaded after the lock is released.
            state, coll = self._collections.active()
            held = self._briefs_of(coll, state, [b.id for b in briefs])
            if scope is not None and remove_missing:  # the scope's briefs missing from `briefs` go
                held |= self._scope_briefs(coll, state, scope)
            report = sync_into(
                self._indexer,
                coll,
                briefs,
                scope,
                remove_missing=remove_missing,
                progress=progress or _no_progress,
                stored={i: Stored(b.content_hash, b.chunk_count, b.scope, b.origin) for i, b in held.items()},
            )
            changed = bool(report.added or report.updated or report.removed)
            if changed:
                ids = [*report.added, *report.updated, *report.removed]
                self._seen = self._serving.record_write(coll, ids, lambda: self._collections.touch(state))
                self._carry_listing(state, self._seen, ids)
        if changed:
            self._current()  # reload here, in the writer's thread, rather than in the next question's
        return report

    def remove(self, brief_ids: list[str]) -> list[str]:
        with self._writing(), self._recover_on_error():
            state, coll = self._collections.active()
            held = self._briefs_of(coll, state, list(dict.fromkeys(brief_ids)))
            present = [b for b in dict.fromkeys(brief_ids) if b in held]
            if present:
                self._indexer.delete(coll, present)
                self._seen = self._serving.record_write(coll, present, lambda: self._collections.touch(state))
                self._carry_listing(state, self._seen, present)
        if present:
            self._current()
        return present

    def rebuild(
        self,
        briefs: Iterable[Brief],
        scopes: list[str],
        progress: Progress | None = None,
        carry_over: Iterable[str] = (),
    ) -> SyncReport:
        """Write a fresh collection (other scopes, and the `carry_over` briefs of these, copied over) and
        switch to it only once it is complete; writes made meanwhile are carried over (`store.rebuild`)."""
        # Not `_current()` inside: a model mismatch must not stop a rebuild.
        with self._rebuild_lock:
            report = rebuild_into(
                self._collections,
                self._indexer,
                self._embedder,
                list(briefs),
                scopes,
                locked=self._writing,
                progress=progress or _no_progress,
                carry_over=list(carry_over),
            )
        self._current(force=True)
        return report

    def close(self) -> None:
        """Release the embedder's cache, the keyword file and the Chroma client (the library owns it)."""
        close = getattr(self._embedder, "close", None)
        if callable(close):
            close()
        self._serving.drop()
        close_client(self._client)


def keyword_file_name(settings: StoreSettings) -> str:
    """The keyword index file's name: the collection, and which Chroma holds it (a data folder may serve
    several, e.g. benchmarks with scratch Chroma folders and one embedding cache)."""
    where = (
        f"{settings.chroma_host}:{settings.chroma_port}"
        if settings.chroma_host
        else str(settings.resolved_chroma_path().resolve())
    )
    return f"{settings.collection}-{hashlib.sha256(where.encode()).hexdigest()[:8]}"


def open_library(settings: StoreSettings) -> BriefLibrary:
    """Connect to Chroma and load the embedder; `StoreUnavailable` when the server cannot be reached."""
    client = open_client(settings)
    embedder = build_embedder(settings.embedding, settings.data_dir / "cache")
    return BriefLibrary(settings, client, embedder)
