"""Keeps the searcher in step with the active pointer, without making questions wait on large reloads.

Every search reads the pointer (one small read). When its version moved, the dense leg switches to the serving
collection at once. The keyword index must be rebuilt from every chunk text in Chroma: for a small index that
happens right away; for a large one (seconds at 50k chunks) it happens in a background thread while the old
keyword index keeps answering, so for those seconds the keyword leg may miss a new brief or still return a
removed one (its texts are held in memory, so nothing breaks).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from store.analysis import Analyzer
from store.chroma_client import read_pages
from store.collections import ActiveState, Collections
from store.embedding.base import Embedder
from store.keyword import KeywordIndex
from store.search import HybridSearcher
from store.settings import SearchSettings

logger = logging.getLogger(__name__)

SYNC_RELOAD_MAX = 5000
"""Keyword indexes up to this many chunks are rebuilt in the caller's thread (well under a second)."""


def load_keyword(coll: Any, analyzer: Analyzer, settings: SearchSettings) -> KeywordIndex:
    ids: list[str] = []
    texts: list[str] = []
    metas: list[dict[str, Any]] = []
    for page in read_pages(coll, where=None, include=["documents", "metadatas"]):
        ids += page["ids"]
        texts += page["documents"]
        metas += page["metadatas"]
    return KeywordIndex(ids, texts, metas, analyzer, k1=settings.bm25_k1, b=settings.bm25_b)


class Serving:
    def __init__(
        self,
        collections: Collections,
        embedder: Embedder,
        settings: SearchSettings,
        follow_other_writers: Callable[[], ActiveState | None],
    ) -> None:
        self._collections = collections
        self._embedder = embedder
        self._settings = settings
        self._follow = follow_other_writers
        self._analyzer = Analyzer()
        self._lock = threading.Lock()
        self.loaded: ActiveState | None = None
        self._coll: Any = None
        self._searcher: HybridSearcher | None = None
        self._generation = 0  # bumped on every switch; a background build for an older one is discarded
        self._builder: threading.Thread | None = None

    def current(self, force: bool = False) -> tuple[Any, HybridSearcher]:
        """The serving collection and a searcher over it (see the module docstring for when it reloads)."""
        with self._lock:
            state = self._follow()
            if not force and state is not None and self._searcher is not None and state == self.loaded:
                return self._coll, self._searcher
            state, coll = self._collections.active()
            self._generation += 1
            old = self._searcher
            if old is not None and not force and len(old.keyword) > SYNC_RELOAD_MAX:
                self._searcher = HybridSearcher(coll, old.keyword, self._embedder, self._settings)
                self._start_builder()
            else:
                keyword = load_keyword(coll, self._analyzer, self._settings)
                self._searcher = HybridSearcher(coll, keyword, self._embedder, self._settings)
            self._coll, self.loaded = coll, state
            logger.info("searcher loaded collection=%s version=%s", state.name, state.version)
            return self._coll, self._searcher

    def _start_builder(self) -> None:
        if self._builder is not None and self._builder.is_alive():
            return  # it re-checks the generation when done and builds again if needed
        self._builder = threading.Thread(target=self._build_in_background, name="keyword-index", daemon=True)
        self._builder.start()

    def _build_in_background(self) -> None:
        while True:
            with self._lock:
                generation, coll = self._generation, self._coll
            try:
                keyword = load_keyword(coll, self._analyzer, self._settings)
            except Exception:
                # The old keyword index keeps serving; the next change retries.
                logger.warning("background keyword index build failed", exc_info=True)
                return
            with self._lock:
                if generation == self._generation:
                    self._searcher = HybridSearcher(coll, keyword, self._embedder, self._settings)
                    logger.info("keyword index swapped in chunks=%s", len(keyword))
                    return

    def follow(self) -> None:
        """Catch up with other writers before writing (see `BriefLibrary._follow_other_writers`)."""
        with self._lock:
            self._follow()

    def wait_idle(self, timeout: float | None = None) -> None:
        """Wait for a background keyword build to finish (tools and tests that need a settled index)."""
        builder = self._builder
        if builder is not None:
            builder.join(timeout)

    def drop(self) -> None:
        with self._lock:
            self._searcher = None
