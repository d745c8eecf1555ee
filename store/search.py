"""Hybrid search: a dense leg (Chroma, cosine) and a BM25 leg, fused into one ranking of `Passage`s."""

from __future__ import annotations

import logging
from typing import Any

from chromadb.errors import InternalError

from store.chroma_client import guard
from store.embedding.base import Embedder
from store.fusion import keyword_weight, rrf, score_sum
from store.keyword_view import KeywordView
from store.records import passage, where_clause
from store.settings import SearchSettings
from store.types import Passage, SearchFilters

logger = logging.getLogger(__name__)


class HybridSearcher:
    """One serving collection and the keyword index; stateless between calls, so safe to share by threads."""

    def __init__(
        self,
        coll: Any,
        keyword: KeywordView,
        embedder: Embedder,
        settings: SearchSettings,
        *,
        fresh: Any = None,
    ) -> None:
        """`fresh`: set while `coll` belongs to an embedded client whose vector index predates another
        process's write (`store.serving`): the same collection through a client that sees that write, asked
        when the stale index cannot answer a filtered query (it fails on chunks it has not loaded)."""
        self._coll = coll
        self._fresh = fresh
        self._keyword = keyword
        self._embedder = embedder
        self._settings = settings

    @property
    def keyword(self) -> KeywordView:
        return self._keyword

    def dense(
        self, query: str, n: int, filters: SearchFilters | None
    ) -> list[tuple[str, str, dict[str, Any], float]]:
        """(chunk id, text, metadata, cosine) of the `n` nearest chunks, nearest first."""
        if n <= 0:
            return []
        count = len(self._keyword)  # the file may lag behind Chroma for a moment: ask Chroma when it is empty
        if count == 0:
            with guard("count"):
                count = int(self._coll.count())
        if count == 0:
            return []
        vector = self._embedder.embed_queries([query])[0]
        asked = {
            "query_embeddings": [vector.tolist()],
            "n_results": min(n, count),
            "where": where_clause(filters),
            "include": ["documents", "metadatas", "distances"],
        }
        with guard("search"):
            try:
                got = self._coll.query(**asked)
            except InternalError:
                if self._fresh is None:
                    raise
                logger.info("stale vector index cannot filter; asking the reopened client")
                got = self._fresh.query(**asked)
        # A stale vector index may still hold chunks removed since: Chroma returns them without metadata.
        return [
            (cid, doc or "", meta, 1.0 - float(dist))
            for cid, doc, meta, dist in zip(
                got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0], strict=True
            )
            if meta is not None
        ]

    def _rows(self, ids: list[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """Text and metadata of chunks by id, from Chroma (those it does not hold are left out)."""
        if not ids:
            return {}
        with guard("read"):
            got = self._coll.get(ids=ids, include=["documents", "metadatas"])
        return {
            cid: (doc or "", meta or {})
            for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        }

    def search(self, query: str, k: int, filters: SearchFilters | None = None) -> list[Passage]:
        query = query.strip()
        if not query:
            return []
        s = self._settings
        n = max(k, s.candidates)
        coverage, hits = self._keyword.lookup(query, n, filters) if s.keyword_weight > 0 else (0.0, [])
        kw_weight = keyword_weight(s.keyword_weight, coverage, s.coverage_power)
        hits = hits if kw_weight > 0 else []
        # A leg whose weight is 0 cannot change the ranking: skip its cost (the embedding call is most of it).
        dense = self.dense(query, n, filters) if s.dense_weight > 0 else []
        rows: dict[str, tuple[str, dict[str, Any]]] = {cid: (doc, meta) for cid, doc, meta, _ in dense}
        dense_scores = {cid: cos for cid, _, _, cos in dense}
        rows.update(self._rows([h.chunk_id for h in hits if h.chunk_id not in rows]))
        # A keyword hit Chroma no longer holds (the file catching up after another writer) is dropped.
        keyword_scores = {h.chunk_id: h.score for h in hits if h.chunk_id in rows}
        if s.fusion == "score":
            fused = score_sum(
                {"dense": (dense_scores, s.dense_weight), "keyword": (keyword_scores, kw_weight)}
            )
        else:
            fused = rrf(
                {
                    "dense": ([cid for cid, _, _, _ in dense], s.dense_weight),
                    "keyword": ([h.chunk_id for h in hits if h.chunk_id in keyword_scores], kw_weight),
                },
                s.rrf_k,
            )
        # Ties (e.g. the keyword leg switched off) fall back to the dense order.
        order = sorted(fused, key=lambda cid: (-fused[cid], -dense_scores.get(cid, -1.0)))[:k]
        logger.debug(
            "search dense=%s keyword=%s kw_weight=%.2f returned=%s",
            len(dense),
            len(hits),
            kw_weight,
            len(order),
        )
        return [
            passage(
                cid,
                rows[cid][0],
                rows[cid][1],
                score=fused[cid],
                dense_score=dense_scores.get(cid),
                keyword_score=keyword_scores.get(cid),
            )
            for cid in order
        ]
