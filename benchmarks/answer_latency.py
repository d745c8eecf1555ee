"""Answer latency: p50/p95 of answering a question file, models loaded once (as `ask --questions`).

    python benchmarks/answer_latency.py [--data-dir var/eval/sample]
        [--questions eval/data/sample_questions.jsonl] [--mode extractive|generated] [--rounds 2] [--limit N]
        [--reader on|off|both]

`--reader both` (the default) runs the whole benchmark twice, each in a fresh process, with the reader model
on and off, and prints both: latency side by side, and `rss_mb`, the process's peak resident memory, so the
reader's memory cost is the difference. Cold passages: point --data-dir at a library whose passages were never
asked about (e.g. var/eval/idk, built by eval/answers.py) and --questions at that set's questions.

Round 1 is "cold": sentence vectors of passages not seen before are embedded (and land in the on-disk cache).
Later rounds repeat the same questions, so their query vectors are cached too: a best case. `--warm-up` first
runs `Answerer.warm_up()` as the bot does at start, so round 1 then measures what a user of a running bot sees
with questions it has not been asked before. The library in --data-dir is indexed
from data/briefs through `python -m ingest` when empty. Generated mode reads the LLM from BRIEFBOT_LLM__*.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import peak_rss_mb  # noqa: E402
from bot.answering.engine import Answerer  # noqa: E402
from bot.answering.types import expect_answer  # noqa: E402
from bot.settings import BotSettings  # noqa: E402
from store.library import open_library  # noqa: E402
from store.settings import StoreSettings  # noqa: E402


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def questions_from(path: Path, limit: int) -> list[str]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line) if line.lstrip().startswith("{") else {"question": line.strip()}
            rows.append(str(row.get("question", row.get("text", ""))))
    return rows[:limit] if limit else rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "eval" / "sample")
    parser.add_argument("--questions", type=Path, default=ROOT / "eval" / "data" / "sample_questions.jsonl")
    parser.add_argument("--mode", choices=["extractive", "generated"], default="extractive")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--warm-up", action="store_true", help="embed every brief's sentences before round 1")
    parser.add_argument("--reader", choices=["on", "off", "both"], default="both")
    args = parser.parse_args()
    if args.reader == "both":
        for choice in ("on", "off"):
            argv = [a for a in sys.argv[1:] if a not in {"--reader", "both"}]
            subprocess.run([sys.executable, __file__, *argv, "--reader", choice], check=True)
        return

    library = open_library(StoreSettings(data_dir=args.data_dir))
    if not library.stats().briefs:
        env = {**os.environ, "BRIEFBOT_STORE__DATA_DIR": str(args.data_dir)}
        subprocess.run([sys.executable, "-m", "ingest", "--json"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        library = open_library(StoreSettings(data_dir=args.data_dir))
    settings = BotSettings()  # type: ignore[call-arg]
    answer_settings = settings.answer.model_copy(update={"mode": args.mode, "reader": args.reader == "on"})
    answerer = Answerer(library, answer_settings, settings.llm)
    questions = questions_from(args.questions, args.limit)
    if args.warm_up:
        started = time.perf_counter()
        briefs = answerer.warm_up()
        print(
            json.dumps({"warm_up_s": round(time.perf_counter() - started, 2), "briefs": briefs}), flush=True
        )

    for round_number in range(1, args.rounds + 1):
        totals: list[float] = []
        modes: dict[str, int] = {}
        for question in questions:
            started = time.perf_counter()
            answer = expect_answer(answerer.answer(question))
            totals.append(time.perf_counter() - started)
            modes[answer.mode] = modes.get(answer.mode, 0) + 1
        print(
            json.dumps(
                {
                    "round": round_number,
                    "reader": args.reader,
                    "mode": args.mode,
                    "answered_as": modes,
                    "questions": len(totals),
                    "p50_s": round(percentile(totals, 50), 3),
                    "p95_s": round(percentile(totals, 95), 3),
                    "max_s": round(max(totals), 3),
                    "rss_mb": peak_rss_mb(),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
