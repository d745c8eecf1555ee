"""An in-memory BM25 index over given texts (bm25s), for training and evaluation tools.

The store's own keyword leg reads the shared index file instead (`store.keyword_view`); its scores equal this
index's over the same chunks (tests/store/test_keyword_file.py), which is why this one stays as the reference.
Filters are applied as a mask over all chunks before ranking.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import bm25s
import numpy as np
import numpy.typing as npt

from store.analysis import Analyzer
from store.records import date_int
from store.types import SearchFilters

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class KeywordHit:
    index: int
    """Position in the index's `ids`."""
    score: float


def published_int(meta: dict[str, Any]) -> int:
    return int(meta.get("published") or 0)


class KeywordIndex:
    def __init__(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        metadatas: Sequence[dict[str, Any]],
        analyzer: Analyzer,
        *,
        k1: float = 1.2,
        b: float = 0.75,
    ) -> None:
        self.ids = list(ids)
        self.texts = list(texts)
        self.metadatas = list(metadatas)
        self._analyzer = analyzer
        self._bm25 = bm25s.BM25(k1=k1, b=b)
        corpus = [analyzer.terms(t) for t in self.texts]
        self._vocab: set[str] = {term for doc in corpus for term in doc}
        if self.ids:
            self._bm25.index(corpus, show_progress=False)
        # Columns for filtering without touching Chroma.
        self._published = np.array([published_int(m) for m in self.metadatas], dtype=np.int64)
        self._source = np.array([str(m.get("source", "")) for m in self.metadatas], dtype=object)
        self._lang = np.array([str(m.get("lang", "")) for m in self.metadatas], dtype=object)
        self._brief = np.array([str(m.get("brief_id", "")) for m in self.metadatas], dtype=object)
        logger.info("keyword index built chunks=%s vocab=%s", len(self.ids), len(self._vocab))

    def __len__(self) -> int:
        return len(self.ids)

    def coverage(self, query: str) -> float:
        """Share of the question's terms that occur anywhere in the corpus (0 when it has none)."""
        terms = self._analyzer.terms(query)
        if not terms:
            return 0.0
        return sum(t in self._vocab for t in terms) / len(terms)

    def _mask(self, filters: SearchFilters | None) -> npt.NDArray[np.bool_] | None:
        if filters is None or filters.is_empty():
            return None
        mask = np.ones(len(self.ids), dtype=bool)
        if filters.since:
            mask &= self._published >= date_int(filters.since)
        if filters.until:
            mask &= (self._published <= date_int(filters.until)) & (self._published > 0)
        if filters.sources:
            mask &= np.isin(self._source, list(filters.sources))
        if filters.langs:
            mask &= np.isin(self._lang, list(filters.langs))
        if filters.brief_ids:
            mask &= np.isin(self._brief, list(filters.brief_ids))
        return mask

    def search(self, query: str, n: int, filters: SearchFilters | None = None) -> list[KeywordHit]:
        """Best `n` chunks with a positive score, best first."""
        terms = self._analyzer.terms(query)
        if not self.ids or not terms:
            return []
        scores = np.asarray(self._bm25.get_scores(terms), dtype=np.float64)
        mask = self._mask(filters)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [KeywordHit(int(i), float(scores[i])) for i in top if scores[i] > 0]
