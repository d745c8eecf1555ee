"""Grid-search the store's fusion settings on a BEIR folder, in seconds per setting instead of minutes.

    python -m eval.tune DATA_DIR [--split train,valid] [--queries FILE] [--top 15]

Every question is embedded once (query vectors are kept in `--cache-dir`, passage vectors come from the
store's own embedding cache) and scored against every document by both legs; each setting of the grid
(fusion method, dense weight, coverage power, candidates) is then a matrix operation (see `eval.fusion_lab`).
The lab scores whole documents, not chunks: right for passage collections such as FacQA, an approximation for
long documents.
Confirm the chosen setting through the real store with `python -m eval.retrieval`.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from eval.beir import BeirFormatError, load_beir
from eval.fusion_lab import Fusion, Matrix, ScoreTables, bm25_table, fuse, single_leg
from eval.metrics import score_rankings
from store.embedding import Embedder, build_embedder
from store.language import detect_language
from store.settings import BriefbotSettings

logger = logging.getLogger(__name__)

GRID: dict[str, tuple[str | float | int, ...]] = {
    "method": ("rrf", "score"),
    "dense_weight": (0.4, 0.6, 0.8, 1.0),
    "coverage_power": (0.0, 1.0, 2.0),
    "candidates": (20, 40),
}


def embed_queries_cached(embedder: Embedder, texts: list[str], cache_dir: Path) -> Matrix:
    """Query vectors kept on disk by text hash: the store never caches queries; the tuner asks them often."""
    path = cache_dir / f"queries-{hashlib.sha1(embedder.name.encode()).hexdigest()[:8]}.npz"
    known: dict[str, Matrix] = {}
    if path.is_file():
        with np.load(path) as stored:
            known = dict(zip(stored["keys"].tolist(), stored["vecs"], strict=True))
    keys = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
    todo = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items())
    if todo:
        print(f"embedding {len(todo)} new questions", file=sys.stderr)
        fresh = embedder.embed_queries([t for _, t in todo])
        known.update({k: fresh[i] for i, (k, _) in enumerate(todo)})
        cache_dir.mkdir(parents=True, exist_ok=True)
        np.savez(path, keys=np.array(list(known)), vecs=np.stack(list(known.values())))
    return np.stack([known[k] for k in keys]).astype(np.float32)


def build_tables(
    data_dir: Path, splits: list[str | None], queries_file: Path | None, cache_dir: Path
) -> tuple[ScoreTables, dict[str, set[str]]]:
    """Both legs' scores for every judged question of `splits` (pooled), and each question's relevant ids."""
    datasets = [load_beir(data_dir, split=s, queries_file=queries_file) for s in splits]
    dataset = datasets[0]
    questions = [q for d in datasets for q in d.judged_queries()]
    for extra in datasets[1:]:
        dataset.qrels.update(extra.qrels)
    if not questions:
        raise BeirFormatError(f"{data_dir}: no judged questions for split(s) {splits}")
    settings = BriefbotSettings().store  # type: ignore[call-arg]  # fields come from the environment
    embedder = build_embedder(settings.embedding, cache_dir / "cache")
    doc_ids, keyword, coverage = bm25_table(
        dataset, [q.text for q in questions], settings.search.bm25_k1, settings.search.bm25_b
    )
    docs = [dataset.corpus[d] for d in doc_ids]
    passages = embedder.embed_passages([f"{d.title}\n{d.text}".strip() for d in docs])
    queries = embed_queries_cached(embedder, [q.text for q in questions], cache_dir)
    tables = ScoreTables(
        query_ids=[q.id for q in questions],
        doc_ids=doc_ids,
        dense=(queries @ passages.T).astype(np.float32),
        keyword=keyword,
        query_langs=[detect_language(q.text) for q in questions],
        doc_langs=[detect_language(d.text) for d in docs],
        coverage=coverage,
    )
    return tables, {q.id: set(dataset.qrels[q.id]) for q in questions}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.tune", description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path, help="BEIR folder")
    parser.add_argument("--split", default="", help="comma-separated splits to pool, e.g. train,valid")
    parser.add_argument("--queries", type=Path, default=None, help="queries file instead of the folder's")
    parser.add_argument("--top", type=int, default=15, help="settings to print, best MRR@10 first")
    parser.add_argument("--cache-dir", type=Path, default=Path("var/eval-cache"), help="vector caches")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG
    splits: list[str | None] = [s.strip() for s in args.split.split(",") if s.strip()] or [None]
    try:
        tables, qrels = build_tables(args.data_dir, splits, args.queries, args.cache_dir)
    except (BeirFormatError, OSError) as exc:
        print(f"Cannot tune: {exc}", file=sys.stderr)
        return 2
    rows = [("dense only", score_rankings(single_leg(tables, "dense"), qrels))]
    rows.append(("bm25 only", score_rankings(single_leg(tables, "keyword"), qrels)))
    for method, dense_weight, power, candidates in itertools.product(*GRID.values()):
        fusion = Fusion(
            method=str(method),
            dense_weight=float(dense_weight),
            coverage_power=float(power),
            candidates=int(candidates),
        )
        label = f"{method} dense_weight={dense_weight} coverage_power={power} candidates={candidates}"
        rows.append((label, score_rankings(fuse(tables, fusion), qrels)))
    print(f"{len(tables.query_ids)} questions, {len(tables.doc_ids)} documents\n")
    print("| setting | R@1 | R@5 | R@10 | MRR@10 |\n|---|---|---|---|---|")
    ranked = rows[:2] + sorted(rows[2:], key=lambda r: -r[1].mrr)[: args.top]
    for label, s in ranked:
        print(f"| {label} | {s.recall[1]:.3f} | {s.recall[5]:.3f} | {s.recall[10]:.3f} | {s.mrr:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
