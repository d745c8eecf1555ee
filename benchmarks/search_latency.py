"""Search latency of the store's real query path at growing index sizes.

    python -m benchmarks.search_latency [--sizes 1000,50000] [--queries 200] [--corpus FILE] [--json OUT]

Each size gets a fresh store. Up to `--real` records of the corpus are indexed for real (`sync`, embeddings
via the cache in `--cache-dir`); the rest of the chunks are synthetic: texts of words drawn from the corpus's
own vocabulary and random unit vectors, written straight into the serving Chroma collection with the store's
own metadata. Searches then go through `BriefLibrary.search` exactly as the bot calls it: the question is
embedded, Chroma's HNSW index and the BM25 index are queried, and the two are fused. Latency is per call,
after one warm-up search in a fresh library (its time, which includes the keyword index catching up with
the synthetic chunks, is reported separately).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import (
    DEFAULT_CORPUS,
    add_synthetic,
    print_table,
    read_records,
    scratch_store,
    write_json,
)
from eval.metrics import percentile
from store.library import open_library
from store.types import Brief

SYNTHETIC_WORDS = 45  # about the length of a FacQA passage


def _briefs(records: list[dict[str, Any]]) -> list[Brief]:
    return [Brief(id=str(r["_id"]), title="", text=str(r["text"]), lang="id", scope="bench") for r in records]


def measure(
    size: int, records: list[dict[str, Any]], questions: list[str], cache_dir: Path
) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="briefbot-latency-") as tmp:
        settings = scratch_store(Path(tmp), cache_dir=cache_dir)
        real = records[:size]
        library = open_library(settings)
        try:
            library.sync(_briefs(real), "bench")
            if size > len(real):
                vocabulary = sorted({w for r in records for w in str(r["text"]).split() if w.isalpha()})
                add_synthetic(library, size - len(real), vocabulary, words=SYNTHETIC_WORDS, scope="bench")
        finally:
            library.close()
        library = open_library(settings)  # a fresh process's view: keyword index built from Chroma
        try:
            started = time.perf_counter()
            library.search(questions[0])
            load_s = time.perf_counter() - started
            chunks = library.stats().chunks
            latencies = []
            for question in questions:
                started = time.perf_counter()
                library.search(question)
                latencies.append((time.perf_counter() - started) * 1000)
        finally:
            library.close()
    return {
        "chunks": chunks,
        "real_chunks": len(real),
        "queries": len(questions),
        "first_search_seconds": round(load_s, 2),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "max_ms": round(max(latencies), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search_latency", description=__doc__)
    parser.add_argument("--sizes", default="1000,50000", help="comma-separated chunk counts")
    parser.add_argument("--real", type=int, default=1000, help="at most this many real (embedded) passages")
    parser.add_argument("--queries", type=int, default=200, help="questions timed per size")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="BEIR corpus.jsonl")
    parser.add_argument("--cache-dir", type=Path, default=Path("var/eval-cache"), help="embedding cache")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in str(args.sizes).split(",") if s.strip()]
    records = read_records(args.corpus, min(args.real, *sizes))
    query_file = args.corpus.parent / "queries.jsonl"
    with query_file.open(encoding="utf-8") as handle:
        questions = [str(json.loads(line)["text"]) for line in handle if line.strip()][: args.queries]
    results = {size: measure(size, records, questions, args.cache_dir) for size in sizes}
    print_table(
        f"Search latency, {args.queries} questions per size (BriefLibrary.search, settings from env)",
        [
            (
                f"{r['chunks']:.0f} chunks ({r['real_chunks']:.0f} real)",
                f"p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms (first search {r['first_search_seconds']} s)",
                "p95 < 100 ms" if size >= 50_000 else "",
            )
            for size, r in results.items()
        ],
    )
    write_json(args.json, {"search_latency": {str(size): r for size, r in results.items()}})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
