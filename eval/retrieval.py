"""Measure retrieval on any BEIR-layout folder through the real store.

    python -m eval.retrieval DATA_DIR [--split test] [--queries FILE] [--legs dense,bm25,hybrid] [--json OUT]

The corpus is synced into a throw-away collection with `open_library` + `sync`, exactly as the ingestion
job would; passage vectors go through the store's embedding cache under `--cache-dir`, so a second run embeds
nothing. Each leg is the store's own search with the other leg's weight set to 0. Search settings come from
the usual `BRIEFBOT_STORE__SEARCH__*` variables, so a tuning run is
`BRIEFBOT_STORE__SEARCH__FUSION=score python -m eval.retrieval ...`.

When the questions carry an `answer` field (FacQA does), a reader-side table follows the strict one (a
passage holding the answer counts as a hit) along with the causes of rank-1 misses; see `eval.misses`.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from eval.beir import BeirDataset, BeirFormatError, load_beir
from eval.metrics import dedupe
from eval.misses import answer_qrels, miss_kinds
from eval.retrieval_report import LegResult, markdown_table, text_table
from store.errors import StoreError
from store.language import detect_language
from store.library import open_library
from store.settings import BriefbotSettings, StoreSettings
from store.types import Brief

logger = logging.getLogger(__name__)

LEGS = ("dense", "bm25", "hybrid")
SCOPE = "eval"


def briefs_of(dataset: BeirDataset) -> list[Brief]:
    """Each corpus document becomes one brief whose id is the document id, so passages map back to qrels."""
    return [
        Brief(id=d.id, title=d.title, text=d.text, lang=detect_language(f"{d.title} {d.text}"), scope=SCOPE)
        for d in dataset.corpus.values()
        if d.text.strip()
    ]


def leg_settings(base: StoreSettings, leg: str) -> StoreSettings:
    """The store's settings with one leg switched off (or none, for hybrid)."""
    if leg == "hybrid":
        return base
    update = {"keyword_weight": 0.0} if leg == "dense" else {"dense_weight": 0.0}
    return base.model_copy(update={"search": base.search.model_copy(update=update)})


@dataclass(frozen=True)
class LegRun:
    """One leg's strict result, and when the questions carry answers, its reader-side result and the causes of
    its rank-1 misses (see `eval.misses`)."""

    strict: LegResult
    answer_aware: LegResult | None = None
    misses: dict[str, float] | None = None


def run_leg(settings: StoreSettings, leg: str, dataset: BeirDataset, depth: int) -> LegRun:
    """Ask every judged query through the store; rankings are brief ids, best first."""
    library = open_library(leg_settings(settings, leg))
    try:
        rankings: dict[str, list[str]] = {}
        latencies: list[float] = []
        for query in dataset.judged_queries():
            started = time.perf_counter()
            found = library.search(query.text, k=depth * 2)  # a brief may fill several slots with its chunks
            latencies.append((time.perf_counter() - started) * 1000)
            rankings[query.id] = [p.brief.id for p in found]
    finally:
        library.close()
    qrels = {q.id: set(dataset.qrels[q.id]) for q in dataset.judged_queries()}
    strict = LegResult.from_rankings(leg, rankings, qrels, latencies)
    answers = {q.id: q.answer for q in dataset.judged_queries() if q.answer}
    if not answers:
        return LegRun(strict)
    docs = {d.id: d.text for d in dataset.corpus.values()}
    questions = {q.id: q.text for q in dataset.judged_queries()}
    ranked = {q: dedupe(r) for q, r in rankings.items()}
    return LegRun(
        strict,
        LegResult.from_rankings(leg, rankings, answer_qrels(qrels, docs, answers), latencies, any_hit=True),
        miss_kinds(ranked, qrels, docs, answers, questions),
    )


def index_corpus(settings: StoreSettings, dataset: BeirDataset) -> float:
    """Sync the corpus into the (empty) collection; returns the seconds it took."""
    library = open_library(settings)
    briefs = briefs_of(dataset)
    last = [0.0]

    def progress(done: int, total: int, stage: str) -> None:
        if time.monotonic() - last[0] > 5 or done == total:
            last[0] = time.monotonic()
            print(f"  {stage}: {done}/{total}", file=sys.stderr, flush=True)

    try:
        report = library.sync(briefs, SCOPE, progress=progress)
    finally:
        library.close()
    if report.failed:
        logger.warning("briefs not indexed n=%s first=%s", len(report.failed), report.failed[:3])
    print(
        f"indexed {len(report.added) + len(report.updated) + len(report.unchanged)} briefs, "
        f"embedded {report.chunks_embedded} chunks in {report.seconds:.1f} s",
        file=sys.stderr,
    )
    return report.seconds


def evaluate(
    data_dir: Path,
    *,
    split: str | None,
    queries_file: Path | None,
    legs: Sequence[str],
    base: StoreSettings,
    cache_dir: Path,
    depth: int = 10,
) -> list[LegRun]:
    dataset = load_beir(data_dir, split=split, queries_file=queries_file)
    if not dataset.judged_queries():
        raise BeirFormatError(
            f"{data_dir}: no query of split {split!r} has a relevant document in its corpus"
        )
    with tempfile.TemporaryDirectory(prefix="briefbot-eval-") as tmp:
        settings = base.model_copy(
            update={
                "data_dir": cache_dir,
                "chroma_path": Path(tmp) / "chroma",
                "keyword_path": Path(tmp) / "keyword",
                "chroma_host": None,
            }
        )
        index_corpus(settings, dataset)
        return [run_leg(settings, leg, dataset, depth) for leg in legs]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m eval.retrieval", description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path, help="BEIR folder: corpus.jsonl, queries, qrels")
    parser.add_argument("--split", default=None, help="evaluate only this split's queries (e.g. test)")
    parser.add_argument("--queries", type=Path, default=None, help="queries file instead of the folder's")
    parser.add_argument("--legs", default=",".join(LEGS), help="comma-separated: dense,bm25,hybrid")
    parser.add_argument("--json", type=Path, default=None, help="also write the results to this JSON file")
    parser.add_argument("--cache-dir", type=Path, default=Path("var/eval-cache"), help="embedding cache")
    args = parser.parse_args(argv)
    args.legs = [leg.strip() for leg in str(args.legs).split(",") if leg.strip()]
    unknown = [leg for leg in args.legs if leg not in LEGS]
    if unknown or not args.legs:
        parser.error(f"--legs takes a subset of {','.join(LEGS)}; got {','.join(unknown) or 'nothing'}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG
    base = BriefbotSettings().store  # type: ignore[call-arg]  # fields come from the environment
    try:
        runs = evaluate(
            args.data_dir,
            split=args.split,
            queries_file=args.queries,
            legs=args.legs,
            base=base,
            cache_dir=args.cache_dir,
        )
    except (BeirFormatError, OSError) as exc:
        print(f"Cannot evaluate: {exc}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"The store failed: {exc}", file=sys.stderr)
        return 1
    strict = [r.strict for r in runs]
    print(text_table(strict))
    print()
    print(markdown_table(strict))
    aware = [r.answer_aware for r in runs if r.answer_aware is not None]
    if aware:
        print("\nReader-side: R@k = share of questions with the judged passage or one holding the answer in")
        print("the top k (open-domain QA's top-k accuracy); MRR@10 uses the first such passage")
        print(markdown_table(aware))
        print("\nWhat sits at rank 1 (share of questions):")
        for run in runs:
            kinds = ", ".join(f"{k} {v:.3f}" for k, v in (run.misses or {}).items())
            print(f"  {run.strict.leg}: {kinds}")
    if args.json:
        payload = {
            "data_dir": str(args.data_dir),
            "split": args.split,
            "queries": str(args.queries) if args.queries else None,
            "search": base.search.model_dump(),
            "legs": [r.strict.as_dict() for r in runs],
            "answer_aware_legs": [r.answer_aware.as_dict() for r in runs if r.answer_aware is not None],
            "rank1_kinds": {r.strict.leg: r.misses for r in runs if r.misses is not None},
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
