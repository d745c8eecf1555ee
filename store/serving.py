"""Keeps the searcher in step with the active pointer, without making questions wait on large catch-ups.

Every search reads the pointer (one small read). When its version moved, the dense leg switches to the
serving collection at once, except after another process wrote to a large embedded store: the library has
reopened its client (`chroma_client.fresh_client`), whose first request loads the whole vector index (~2 s
at 500k chunks), so a background thread does that while the old client keeps answering. The old client's
reads (chunk texts, metadata, counts) see the write; only its vector index is stale for those seconds: the
dense leg may miss the new chunks (the keyword leg finds them), chunks removed since are dropped, and a
filtered query it cannot answer goes to the new client.

The keyword leg reads the host's shared index file (`store.keyword_sync`): when a writer on this host moved
the pointer, the file already holds its change and this process only replays the changed rows. When the file
is behind (another host wrote, or a rebuild switched collections) it catches up by comparing briefs: right
away for a small index, in a background thread for a large one while the file keeps answering, so for those
seconds the keyword leg may miss a new brief (a hit on a chunk that is gone is dropped). When there is no
file for this analysis yet, the first search builds it whole.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from store.analysis import Analyzer
from store.chroma_client import guard
from store.collections import ActiveState, Collections
from store.embedding.base import Embedder
from store.keyword_sync import KeywordSync, index_path
from store.keyword_view import KeywordView
from store.search import HybridSearcher
from store.settings import SearchSettings

logger = logging.getLogger(__name__)

SYNC_RELOAD_MAX = 5000
"""Keyword indexes up to this many chunks catch up in the caller's thread (well under a second)."""
VECTORS_IN_BACKGROUND_MIN = 20_000
"""From this many chunks on, a reopened embedded client loads its vector index in a background thread."""


def _load_vectors(coll: Any, dim: int) -> None:
    """Have `coll`'s client load its vector index (any first request does; a one-result query is cheap)."""
    with guard("load vector index"):
        coll.query(query_embeddings=[[1.0] + [0.0] * (dim - 1)], n_results=1, include=[])


def _collect() -> None:
    """Free an old client's vector index readers (a whole HNSW index in memory: ~200 MB per 100k chunks),
    which sit in reference cycles that Python's collector reaches only now and then: uncollected, each write
    by the ingestion job grew the bot by one index (370 -> 990 MB after 3 writes at 100k chunks). 0.1-0.5 s,
    once per write by another process."""
    gc.collect()


class Serving:
    def __init__(
        self,
        collections: Collections,
        embedder: Embedder,
        settings: SearchSettings,
        follow_other_writers: Callable[[], ActiveState | None],
        *,
        keyword_folder: Path,
        library_name: str,
        reload_in_background: bool = True,
    ) -> None:
        self._collections = collections
        self._embedder = embedder
        self._settings = settings
        self._follow = follow_other_writers
        self._in_background = reload_in_background
        analyzer = Analyzer()
        path = index_path(keyword_folder, library_name, analyzer)
        self.keyword_sync = KeywordSync(path, analyzer)
        self._view = KeywordView(path, analyzer, k1=settings.bm25_k1, b=settings.bm25_b)
        self._lock = threading.Lock()
        self.loaded: ActiveState | None = None
        self._coll: Any = None
        self._searcher: HybridSearcher | None = None
        self._builder: threading.Thread | None = None
        self._client_replaced = False
        self._pending: Any = None  # the reopened client's collection while its vector index loads
        self._warmer: threading.Thread | None = None

    def current(self, force: bool = False) -> tuple[Any, HybridSearcher]:
        """The collection to read from and a searcher over it (see the module docstring for when it catches
        up). Writes go through `Collections.active()`, never through a collection returned here."""
        with self._lock:
            state = self._follow()
            if not force and state is not None and self._searcher is not None and state == self.loaded:
                return self._coll, self._searcher
            loaded, freed = self._load(force)
        if freed:
            _collect()
        return loaded

    def client_replaced(self) -> None:
        """The library reopened its embedded client (another process wrote): free the old one once the
        searcher has moved to the new one."""
        self._client_replaced = True

    def _load(self, force: bool) -> tuple[tuple[Any, HybridSearcher], bool]:
        """Switch to the pointer's collection (the serving lock held); also whether an old client was let
        go (to be collected)."""
        replaced, self._client_replaced = self._client_replaced, False
        state, coll = self._collections.active()
        stale, before = self._coll, self.loaded
        self.loaded = state
        if (
            replaced
            and self._in_background
            and not force
            and stale is not None
            and before is not None
            and before.name == state.name
            and len(self._view) >= VECTORS_IN_BACKGROUND_MIN
        ):
            # The old client keeps answering (reads see the write) while the new one loads its vector index.
            self._pending = coll
            self._searcher = self._searcher_over(stale, fresh=coll)
            self._warmer = threading.Thread(target=self._warm, args=(coll,), name="vector-index", daemon=True)
            self._warmer.start()
            freed = False
        else:
            freed = replaced or self._pending is not None
            self._pending = None
            self._coll = coll
            self._searcher = self._searcher_over(coll)
        synced = self._view.synced()
        if synced != (state.name, state.version):
            if synced is None or len(self._view) <= SYNC_RELOAD_MAX:
                self.keyword_sync.catch_up(coll, state)
            else:
                self._start_builder()
        logger.info("searcher loaded collection=%s version=%s", state.name, state.version)
        return (self._coll, self._searcher), freed

    def _searcher_over(self, coll: Any, fresh: Any = None) -> HybridSearcher:
        return HybridSearcher(coll, self._view, self._embedder, self._settings, fresh=fresh)

    def _warm(self, coll: Any) -> None:
        """Load `coll`'s vector index (its first query does), then serve from it and free the old client."""
        started = time.perf_counter()
        try:
            _load_vectors(coll, self._embedder.dim)
        except Exception:
            # Serve from the new client all the same: the next question loads its index (or reports why not).
            logger.warning("loading the reopened client's vector index failed", exc_info=True)
        with self._lock:
            if self._pending is not coll:
                return  # a newer client (or a forced reload) took over meanwhile
            self._pending = None
            self._coll = coll
            self._searcher = self._searcher_over(coll)
        _collect()
        logger.info("vector index loaded in background seconds=%.1f", time.perf_counter() - started)

    def listing(
        self, state: ActiveState, ids: Sequence[str] | None = None, scope: str | None = None
    ) -> list[dict[str, Any]] | None:
        """Every brief's first-chunk metadata (or that of the briefs `ids`, or of one scope's) from the
        keyword file, when it reflects `state` (else None)."""
        return self._view.listing(state.name, state.version, ids, scope)

    def record_write(self, coll: Any, brief_ids: list[str], touch: Callable[[], ActiveState]) -> ActiveState:
        """Apply this process's write to the keyword file as the pointer moves (see `KeywordSync`)."""
        return self.keyword_sync.record_write(coll, brief_ids, touch)

    def mark_keyword_stale(self) -> None:
        self.keyword_sync.mark_stale()

    def _start_builder(self) -> None:
        if self._builder is not None and self._builder.is_alive():
            return  # it re-checks the pointer when done and catches up again if needed
        self._builder = threading.Thread(
            target=self._catch_up_in_background, name="keyword-index", daemon=True
        )
        self._builder.start()

    def _catch_up_in_background(self) -> None:
        while True:
            with self._lock:
                state, coll = self.loaded, self._coll
            if state is None:
                return
            try:
                self.keyword_sync.catch_up(coll, state)
            except Exception:
                # The file keeps serving as it is; the next change retries.
                logger.warning("background keyword index catch-up failed", exc_info=True)
                return
            with self._lock:
                if self.loaded == state:
                    return

    def follow(self) -> None:
        """Catch up with other writers before writing (see `BriefLibrary._follow_other_writers`)."""
        with self._lock:
            self._follow()

    def wait_idle(self, timeout: float | None = None) -> None:
        """Wait for a background keyword catch-up or vector index load to finish (tools and tests that need
        a settled index)."""
        for thread in (self._builder, self._warmer):
            if thread is not None:
                thread.join(timeout)

    def drop(self) -> None:
        with self._lock:
            self._searcher = None
            self._pending = None
            self._view.close()
            self.keyword_sync.close()
