"""How fast ingestion is, and how much the pipeline costs on top of the embedding model.

    python -m benchmarks.ingest_speed [--passages 300] [--rounds 2] [--rerun-briefs 1000] [--json OUT]

1. Pipeline vs model, in one run, embedding cache off: the ingestion job's own `run` (load the JSONL file ->
   clean -> chunk -> embed -> write to Chroma) over `--passages` records, and the same embedder alone on the
   exact chunk texts the pipeline stored, alternated for `--rounds`. Overhead = pipeline time / model time - 1
   (target < 15%), from medians of wall time and of process CPU time; the CPU figure is the one to trust when
   other jobs share the cores.
2. No-change re-run: `python -m ingest FILE --json` twice over `--rerun-briefs` records as separate processes,
   the way an operator runs it; the second run must embed nothing and finish in under 10 s (wall time,
   including start-up). The first run fills the store through the embedding cache in `--cache-dir`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
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


@dataclass
class Timing:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    """Process CPU seconds (all threads): steadier than wall time when other jobs share the cores."""

    def add(self, wall: float, cpu: float) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)


def _timed_pipeline(source: Path, work: Path, timing: Timing) -> tuple[list[str], int, int]:
    """One ingestion run into a fresh store; returns the stored chunk texts, briefs added, chunks embedded."""
    library = open_library(scratch_store(work, cache_dir=None))
    try:
        library.embedder.embed_passages(["pemanasan model"])  # load weights before the clock starts
        wall, cpu = time.perf_counter(), time.process_time()
        report = run(library, [str(source)], IngestOptions.model_validate({}), progress=_quiet)
        timing.add(time.perf_counter() - wall, time.process_time() - cpu)
        chunks = [p.text for b in library.list_briefs() for p in library.passages_of(b.id)]
    finally:
        library.close()
    if report.failed:
        print(f"warning: {len(report.failed)} records failed, e.g. {report.failed[0]}", file=sys.stderr)
    return chunks, len(report.added), report.chunks_embedded


def _timed_model(chunks: list[str], work: Path, timing: Timing) -> None:
    library = open_library(scratch_store(work, cache_dir=None))
    try:
        library.embedder.embed_passages(["pemanasan model"])
        wall, cpu = time.perf_counter(), time.process_time()
        library.embedder.embed_passages(chunks)
        timing.add(time.perf_counter() - wall, time.process_time() - cpu)
    finally:
        library.close()


def pipeline_vs_model(records: list[dict[str, Any]], work: Path, rounds: int) -> dict[str, Any]:
    """Alternate pipeline and model runs (model first in even rounds) so drifting load hits both alike."""
    source = write_records(records, work / "briefs.jsonl")
    pipeline, model = Timing(), Timing()
    chunks, briefs, embedded = _timed_pipeline(source, work / "p0", pipeline)
    _timed_model(chunks, work / "m0", model)
    for n in range(1, rounds):
        _timed_model(chunks, work / f"m{n}", model)
        _timed_pipeline(source, work / f"p{n}", pipeline)
    p_wall, m_wall = statistics.median(pipeline.wall), statistics.median(model.wall)
    p_cpu, m_cpu = statistics.median(pipeline.cpu), statistics.median(model.cpu)
    return {
        "briefs": briefs,
        "chunks": len(chunks),
        "chunks_embedded": embedded,
        "rounds": rounds,
        "pipeline_wall_seconds": [round(x, 2) for x in pipeline.wall],
        "model_wall_seconds": [round(x, 2) for x in model.wall],
        "pipeline_cpu_seconds": [round(x, 2) for x in pipeline.cpu],
        "model_cpu_seconds": [round(x, 2) for x in model.cpu],
        "pipeline_chunks_per_s": round(len(chunks) / p_wall, 2),
        "model_chunks_per_s": round(len(chunks) / m_wall, 2),
        "overhead_wall": round(p_wall / m_wall - 1, 4),
        "overhead_cpu": round(p_cpu / m_cpu - 1, 4),
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
    parser.add_argument("--rounds", type=int, default=2, help="pipeline/model timing rounds (median)")
    parser.add_argument("--rerun-briefs", type=int, default=1000, help="records for the no-change re-run")
    parser.add_argument("--cache-dir", type=Path, default=Path("var/eval-cache"), help="embedding cache")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="briefbot-bench-") as tmp:
        records = read_records(args.corpus, args.passages)
        speed = pipeline_vs_model(records, Path(tmp) / "speed", max(1, args.rounds))
        rerun = no_change_rerun(
            read_records(args.corpus, args.rerun_briefs), Path(tmp) / "rerun", args.cache_dir
        )
    print_table(
        f"Ingestion speed ({speed['chunks']} chunks of {speed['briefs']} briefs, cache off, "
        f"median of {speed['rounds']} rounds)",
        [
            (
                "pipeline (load, clean, chunk, embed, Chroma)",
                f"{speed['pipeline_chunks_per_s']} chunks/s",
                "",
            ),
            ("embedding model alone, same chunks", f"{speed['model_chunks_per_s']} chunks/s", ""),
            ("pipeline overhead, wall time (median)", f"{speed['overhead_wall'] * 100:.1f}%", "< 15%"),
            ("pipeline overhead, CPU time (median)", f"{speed['overhead_cpu'] * 100:.1f}%", "< 15%"),
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
