"""A bench for fusion ideas: full dense and BM25 score tables computed once, fusions tried in milliseconds.

Tuning through the store would re-embed every question for every setting tried; here each question is embedded
once and every (question, passage) score of both legs is kept in memory, so a grid of fusion settings costs
seconds. Whatever wins here is proposed to the store with its measured gain (see the report); the store stays
the only runtime implementation.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from eval.beir import BeirDataset
from store.analysis import Analyzer

logger = logging.getLogger(__name__)

Matrix = npt.NDArray[np.float32]


@dataclass
class ScoreTables:
    """Scores of every question against every document, one row per question."""

    query_ids: list[str]
    doc_ids: list[str]
    dense: Matrix
    keyword: Matrix
    query_langs: list[str]
    doc_langs: list[str]
    coverage: list[float]
    """Per question: share of its analysed terms found anywhere in the corpus (as the store computes it)."""


def bm25_table(
    dataset: BeirDataset, queries: Sequence[str], k1: float = 1.2, b: float = 0.75
) -> tuple[list[str], Matrix, list[float]]:
    """BM25 (bm25s) over all documents with the store's own analysis, so the lab ranks as the store does."""
    import bm25s

    analyzer = Analyzer()
    doc_ids = list(dataset.corpus)
    corpus_tokens = [analyzer.terms(f"{dataset.corpus[d].title} {dataset.corpus[d].text}") for d in doc_ids]
    index = bm25s.BM25(k1=k1, b=b)
    index.index(corpus_tokens, show_progress=False)
    rows = [bm25_scores(index, analyzer.terms(q), len(doc_ids)) for q in queries]
    vocab = {term for doc in corpus_tokens for term in doc}
    coverage = []
    for q in queries:
        terms = analyzer.terms(q)
        coverage.append(sum(t in vocab for t in terms) / len(terms) if terms else 0.0)
    return doc_ids, np.asarray(rows, dtype=np.float32), coverage


def bm25_scores(index: Any, tokens: list[str], size: int) -> npt.NDArray[np.float32]:
    """Scores of one analysed question; bm25s fails on an empty token list, which scores nothing anyway."""
    if not tokens:
        return np.zeros(size, dtype=np.float32)
    return np.asarray(index.get_scores(tokens), dtype=np.float32)


def _ranks(scores: Matrix) -> npt.NDArray[np.int64]:
    """Rank (0 = best) of every document in each row."""
    order = np.argsort(-scores, axis=1, kind="stable")
    ranks = np.empty_like(order)
    rows = np.arange(scores.shape[0])[:, None]
    ranks[rows, order] = np.arange(scores.shape[1])[None, :]
    return ranks


@dataclass(frozen=True)
class Fusion:
    """One fusion recipe: how two legs' candidate lists become one ranking."""

    method: str = "rrf"
    """rrf: weighted reciprocal rank; score: weighted sum of scores scaled to 0..1 within the candidates."""
    candidates: int = 40
    dense_weight: float = 1.0
    keyword_weight: float = 1.0
    rrf_k: float = 60.0
    cross_lingual_keyword: float = 1.0
    """Multiplier of the keyword weight when the question's language differs from the document's."""
    coverage_power: float = 0.0
    """As the store's setting: keyword weight * (share of question terms found in the corpus) ** this."""


def fuse(tables: ScoreTables, fusion: Fusion, top: int = 10) -> dict[str, list[str]]:
    """Rank documents for every question; only each leg's top `candidates` take part, as in the store."""
    dense, keyword = tables.dense, tables.keyword
    dense_rank, keyword_rank = _ranks(dense), _ranks(keyword)
    # A keyword "hit" with score 0 is not a candidate: the question shares no term with the document.
    in_dense = dense_rank < fusion.candidates
    in_keyword = (keyword_rank < fusion.candidates) & (keyword > 0)
    q_langs = np.array(tables.query_langs)[:, None]
    d_langs = np.array(tables.doc_langs)[None, :]
    same_lang = (q_langs == d_langs) | (q_langs == "und") | (d_langs == "und")
    base = fusion.keyword_weight * np.asarray(tables.coverage)[:, None] ** fusion.coverage_power
    kw_weight = np.where(same_lang, base, base * fusion.cross_lingual_keyword)
    if fusion.method == "rrf":
        fused = np.where(in_dense, fusion.dense_weight / (fusion.rrf_k + dense_rank + 1), 0.0)
        fused = fused + np.where(in_keyword, kw_weight / (fusion.rrf_k + keyword_rank + 1), 0.0)
    elif fusion.method == "score":
        fused = np.where(in_dense, fusion.dense_weight * _minmax(dense, in_dense), 0.0)
        fused = fused + np.where(in_keyword, kw_weight * _minmax(keyword, in_keyword), 0.0)
    else:
        raise ValueError(f"unknown fusion method {fusion.method!r}")
    fused = np.where(in_dense | in_keyword, fused, -np.inf)
    best = np.argsort(-fused, axis=1, kind="stable")[:, :top]
    return {
        qid: [tables.doc_ids[j] for j in best[i] if np.isfinite(fused[i, j])]
        for i, qid in enumerate(tables.query_ids)
    }


def _minmax(scores: Matrix, mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
    """Scale each row's candidate scores to 0..1 (best candidate 1, worst 0)."""
    high = np.where(mask, scores, -np.inf).max(axis=1, keepdims=True)
    low = np.where(mask, scores, np.inf).min(axis=1, keepdims=True)
    span = np.where(np.isfinite(high - low) & (high > low), high - low, 1.0)
    low = np.where(np.isfinite(low), low, 0.0)
    return np.asarray((scores - low) / span, dtype=np.float64)


def single_leg(tables: ScoreTables, leg: str, top: int = 10) -> dict[str, list[str]]:
    scores = tables.dense if leg == "dense" else tables.keyword
    best = np.argsort(-scores, axis=1, kind="stable")[:, :top]
    return {qid: [tables.doc_ids[j] for j in best[i]] for i, qid in enumerate(tables.query_ids)}
