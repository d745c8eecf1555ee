"""How fast ingestion is, and how much the pipeline costs on top of the embedding model.

    python -m benchmarks.ingest_speed [--passages 300] [--rerun-briefs 1000] [--corpus FILE] [--json OUT]

1. Pipeline vs model, in one run, embedding cache off: the ingestion job's own `run` (load the JSONL file ->
   clean -> chunk -> embed -> write to Chroma) over `--passages` records, then the same embedder alone on the
   exact chunk texts the pipeline stored. Overhead = pipeline time / model time - 1 (target < 15%).
2. No-change re-run: `python -m ingest FILE --json` twice over `--rerun-briefs` records as separate processes,
   the way an operator runs it; the second run must embed nothing and finish in under 10 s (wall time,
   including start-up). The first run fills the store through the embedding cache in `--cache-dir`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import (
    DEFAULT_CORPUS,
    print_table,
    read_records,
    scratch_store,
    write_json,
    write_records,
)
from ingest.runner import run
from ingest.settings import IngestOptions
from store.library import open_library

REPO = Path(__file__).resolve().parents[1]


def _quiet(done: int, total: int, stage: str) -> None:
    pass


def pipeline_vs_model(records: list[dict[str, Any]], work: Path) -> dict[str, float]:
    source = write_records(records, work / "briefs.jsonl")
    library = open_library(scratch_store(work, cache_dir=None))
    try:
        library.embedder.embed_passages(["pemanasan model"])  # load weights before either clock starts
        started = time.perf_counter()
        report = run(library, [str(source)], IngestOptions.model_validate({}), progress=_quiet)
        pipeline_s = time.perf_counter() - started
        chunks = [p.text for b in library.list_briefs() for p in library.passages_of(b.id)]
        started = time.perf_counter()
        library.embedder.embed_passages(chunks)
        model_s = time.perf_counter() - started
    finally:
        library.close()
    if report.failed:
        print(f"warning: {len(report.failed)} records failed, e.g. {report.failed[0]}", file=sys.stderr)
    return {
        "briefs": len(report.added),
        "chunks": len(chunks),
        "chunks_embedded": report.chunks_embedded,
        "pipeline_seconds": round(pipeline_s, 2),
        "model_seconds": round(model_s, 2),
        "pipeline_chunks_per_s": round(len(chunks) / pipeline_s, 2),
        "model_chunks_per_s": round(len(chunks) / model_s, 2),
        "overhead": round(pipeline_s / model_s - 1, 4),
    }


def _ingest_cli(source: Path, work: Path, cache_dir: Path) -> tuple[dict[str, Any], float]:
    """Run `python -m ingest SOURCE --json` in a fresh process; returns its summary and wall seconds."""
    env = {
        **os.environ,
        "BRIEFBOT_STORE__DATA_DIR": str(cache_dir.resolve()),
        "BRIEFBOT_STORE__CHROMA_PATH": str(work / "chroma"),
        "BRIEFBOT_LOG_LEVEL": "WARNING",
    }
    env.pop("BRIEFBOT_STORE__CHROMA_HOST", None)  # always the local folder, whatever the shell says
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "ingest", str(source), "--json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    summaries = [json.loads(line) for line in done.stdout.splitlines() if '"summary"' in line]
    if done.returncode != 0 or not summaries:
        raise SystemExit(f"python -m ingest failed (exit {done.returncode}): {done.stderr[-800:]}")
    return summaries[-1], wall


def no_change_rerun(records: list[dict[str, Any]], work: Path, cache_dir: Path) -> dict[str, float]:
    source = write_records(records, work / "rerun" / "briefs.jsonl")
    first, first_wall = _ingest_cli(source, work, cache_dir)
    second, second_wall = _ingest_cli(source, work, cache_dir)
    return {
        "briefs": len(records),
        "first_added": len(first["added"]),
        "first_chunks_embedded": first["chunks_embedded"],
        "first_wall_seconds": round(first_wall, 2),
        "rerun_unchanged": len(second["unchanged"]),
        "rerun_changed": len(second["added"]) + len(second["updated"]) + len(second["removed"]),
        "rerun_chunks_embedded": second["chunks_embedded"],
        "rerun_run_seconds": second["seconds"],
        "rerun_wall_seconds": round(second_wall, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ingest_speed", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="JSONL records (_id, text)")
    parser.add_argument("--passages", type=int, default=300, help="records for pipeline vs model")
    parser.add_argument("--rerun-briefs", type=int, default=1000, help="records for the no-change re-run")
    parser.add_argument("--cache-dir", type=Path, default=Path("var/eval-cache"), help="embedding cache")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="briefbot-bench-") as tmp:
        speed = pipeline_vs_model(read_records(args.corpus, args.passages), Path(tmp) / "speed")
        rerun = no_change_rerun(
            read_records(args.corpus, args.rerun_briefs), Path(tmp) / "rerun", args.cache_dir
        )
    print_table(
        f"Ingestion speed ({speed['chunks']:.0f} chunks of {speed['briefs']:.0f} briefs, cache off)",
        [
            (
                "pipeline (load, clean, chunk, embed, Chroma)",
                f"{speed['pipeline_chunks_per_s']} chunks/s",
                "",
            ),
            ("embedding model alone, same chunks", f"{speed['model_chunks_per_s']} chunks/s", ""),
            ("pipeline overhead", f"{speed['overhead'] * 100:.1f}%", "< 15%"),
        ],
    )
    print_table(
        f"No-change re-run of `python -m ingest` over {rerun['briefs']:.0f} briefs",
        [
            ("chunks embedded by the re-run", f"{rerun['rerun_chunks_embedded']:.0f}", "0"),
            ("briefs reported unchanged", f"{rerun['rerun_unchanged']:.0f}", f"{rerun['briefs']:.0f}"),
            ("re-run wall time (process start to exit)", f"{rerun['rerun_wall_seconds']} s", "< 10 s"),
            ("re-run time inside the job", f"{rerun['rerun_run_seconds']} s", ""),
        ],
    )
    write_json(args.json, {"pipeline_vs_model": speed, "no_change_rerun": rerun})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
