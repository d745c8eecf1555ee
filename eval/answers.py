"""Measure the answer engine: citations of expected briefs, abstention, where the evidence gate should sit.

    python -m eval.answers sample --briefs data/briefs --questions eval/data/sample_questions.jsonl
    python -m eval.answers idk --data ../shared/data/idk_mrc [--limit N]      # answer / abstain rates
    python -m eval.answers facqa --data ../shared/data/facqa [--limit N]      # cited passage has the answer
    python -m eval.answers offtopic --data ../shared/data/facqa --limit N     # foreign questions -> abstain?
    add --calibrate to idk/sample: pick the evidence threshold on a tune half, report the other half
    python -m eval.answers calibrate --records SAMPLE OFFTOPIC... --answerable-from IDK   # the gate's value

Every question is answered once with the gate open (threshold 0) and its evidence recorded, so the effect of
any threshold can be computed afterwards without answering again. Generated mode (`--mode generated`, LLM from
BRIEFBOT_LLM__* variables) applies the real gate instead, since generating every answer would be too slow.
Libraries live in --work (default var/eval/<set>) and are re-used, so a second run embeds nothing new.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bot.answering.engine import Answerer
from bot.answering.evidence import EvidenceGate
from bot.answering.types import expect_answer
from bot.settings import BotSettings
from eval.gate_features import features
from store.library import BriefLibrary, open_library
from store.settings import StoreSettings
from store.types import Brief

ROOT = Path(__file__).resolve().parent.parent

# Calibrated on data (2026-11-29), reproducible with eval/answers.py (see its docstring): positives were the
# answerable questions of the sample question set (42) and of IDK-MRC test (112, against its 371-paragraph
# pool); negatives were the sample set's unanswerable questions (15) plus 200 off-topic questions (IDK-MRC
# and FacQA questions asked of the sample briefs). The threshold maximising balanced accuracy on a
# hash-split tune half was 0.843; on the held-out half it answers 94.9% of answerable and declines 94.0% of
# off-topic questions. It cannot catch on-topic questions whose answer is missing (IDK-MRC's unanswerable:
# 27%). Not the engine's gate: the baseline eval/gate_fit.py measures the fitted gate against.
MIN_EVIDENCE = 0.843


@dataclass
class Record:
    question: str
    answerable: bool
    evidence: float
    abstained: bool
    cited_briefs: list[str]
    cited_texts: list[str]
    expected: list[str]
    gold: list[str]
    """Gold answer strings (FacQA, IDK-MRC)."""
    gate: dict[str, float] = field(default_factory=dict)
    """The evidence gate's signals (eval/gate_fit.py fits the gate on them)."""
    key: str = ""
    """Split key: the question, or its IDK-MRC paragraph, so a paragraph's questions stay on one side."""


def read_jsonl(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def answerer_for(library: BriefLibrary, mode: str) -> Answerer:
    """The engine with the gate open (extractive) and every gate signal recorded (`eval.gate_features`)."""
    settings = BotSettings()
    answer = settings.answer.model_copy(
        update={"mode": mode, "min_evidence": 0.0 if mode == "extractive" else None}
    )
    gate = EvidenceGate(answer.min_evidence, signals=features)
    return Answerer(library, answer, settings.llm, gate=gate)


def ask_all(
    answerer: Answerer, items: list[tuple[str, bool, list[str], list[str]]], keys: list[str]
) -> list[Record]:
    records = []
    for number, ((question, answerable, expected, gold), key) in enumerate(zip(items, keys, strict=True), 1):
        answer = expect_answer(answerer.answer(question))
        records.append(
            Record(
                question,
                answerable,
                answer.evidence or 0.0,
                answer.abstained,
                [c.brief.id for c in answer.citations],
                [c.passage.text for c in answer.citations],
                expected,
                gold,
                answer.gate,
                key,
            )
        )
        if number % 25 == 0:
            print(f"  {number}/{len(items)}", file=sys.stderr)
    return records


def abstains(record: Record, threshold: float | None) -> bool:
    return record.abstained if threshold is None else record.evidence < threshold


def rates(records: list[Record], threshold: float | None) -> dict[str, float]:
    answerable = [r for r in records if r.answerable]
    unanswerable = [r for r in records if not r.answerable]
    answered = [r for r in answerable if not abstains(r, threshold)]
    out = {
        "answer_rate_answerable": len(answered) / len(answerable) if answerable else float("nan"),
        "abstain_rate_unanswerable": (
            sum(abstains(r, threshold) for r in unanswerable) / len(unanswerable)
            if unanswerable
            else float("nan")
        ),
    }
    with_expected = [r for r in answered if r.expected]
    if with_expected:
        out["cites_expected_of_answered"] = sum(
            bool(set(r.cited_briefs) & set(r.expected)) for r in with_expected
        ) / len(with_expected)
        out["first_citation_expected"] = sum(
            r.cited_briefs[:1] and r.cited_briefs[0] in r.expected for r in with_expected
        ) / len(with_expected)
    with_gold = [r for r in answered if r.gold]
    if with_gold:
        out["cited_passage_has_gold"] = sum(
            any(g.lower() in t.lower() for g in r.gold for t in r.cited_texts) for r in with_gold
        ) / len(with_gold)
    return out


def calibrate(records: list[Record]) -> float:
    """The threshold with the best balanced accuracy: answer rate on answerable + abstain rate on the rest."""
    candidates = sorted({round(r.evidence, 3) for r in records})
    best, best_value = 0.0, -1.0
    for threshold in candidates:
        values = rates(records, threshold)
        value = values["answer_rate_answerable"] + values["abstain_rate_unanswerable"]
        if value > best_value:
            best, best_value = threshold, value
    return best


def tune_half(key: str) -> bool:
    return int(hashlib.sha1(key.encode()).hexdigest(), 16) % 2 == 0


def calibrate_from(files: list[Path], answerable_from: list[Path]) -> None:
    """The gate's threshold from saved records: answerable questions against off-topic ones (the gate's job).

    `answerable_from` files contribute only their answerable questions: IDK-MRC's unanswerable ones are about
    the right paragraph, as similar to it as the answerable ones, so no similarity threshold separates them.
    """
    records = [Record(**row) for f in files for row in read_jsonl(f)]  # type: ignore[arg-type]
    records += [r for f in answerable_from for row in read_jsonl(f) if (r := Record(**row)).answerable]  # type: ignore[arg-type]
    tune = [r for r in records if tune_half(r.question)]
    held = [r for r in records if not tune_half(r.question)]
    chosen = calibrate(tune)
    report("calibration-tune", tune, chosen)
    report("calibration-heldout", held, chosen)


def open_work_library(work: Path) -> BriefLibrary:
    return open_library(StoreSettings(data_dir=work))


def sample_items(path: Path) -> list[tuple[str, bool, list[str], list[str]]]:
    rows = read_jsonl(path)
    return [
        (str(r["question"]), bool(r["answerable"]), list(r.get("expected_briefs", r.get("expected", []))), [])
        for r in rows
    ]  # type: ignore[call-overload]


def index_briefs(briefs_dir: Path, work: Path) -> None:
    """Index through the real ingestion job, as the bot does on first start."""
    env = {**os.environ, "BRIEFBOT_STORE__DATA_DIR": str(work)}
    subprocess.run([sys.executable, "-m", "ingest", str(briefs_dir), "--json"], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def beir_library(data: Path, work: Path, ids: set[str], lang: str = "id") -> BriefLibrary:
    """The passages `ids` of a BEIR-layout set as briefs in `lang` (the reader's gate has a cut-off per
    language pair, so an English set indexed as Indonesian would be gated as English over Indonesian)."""
    library = open_work_library(work)
    docs = [r for r in read_jsonl(data / "corpus.jsonl") if str(r["_id"]) in ids]
    briefs = [
        Brief(
            id=str(d["_id"]),
            title=str(d.get("title") or d["_id"]),
            text=str(d["text"]),
            lang=lang,
            scope="eval",
        )
        for d in docs
    ]
    report = library.sync(briefs, scope="eval")
    print(f"indexed {len(briefs)} passages, embedded {report.chunks_embedded} chunks", file=sys.stderr)
    return library


def report(name: str, records: list[Record], threshold: float | None) -> None:
    print(
        json.dumps(
            {"set": name, "questions": len(records), "threshold": threshold, **rates(records, threshold)}
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set", choices=["sample", "idk", "facqa", "offtopic", "calibrate"])
    parser.add_argument("--records", type=Path, nargs="*", default=[], help="calibrate: record files")
    parser.add_argument(
        "--answerable-from", type=Path, nargs="*", default=[], help="calibrate: positives only"
    )
    parser.add_argument("--briefs", type=Path, default=ROOT / "data" / "briefs")
    parser.add_argument("--questions", type=Path, default=ROOT / "eval" / "data" / "sample_questions.jsonl")
    parser.add_argument("--data", type=Path)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="Answer only the first N questions (0: all).")
    parser.add_argument("--mode", choices=["extractive", "generated"], default="extractive")
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument(
        "--threshold",
        type=float,
        help="score as if declining below this evidence cosine (the first gate's was "
        f"{MIN_EVIDENCE}); by default the engine's own decisions are scored",
    )
    args = parser.parse_args()
    work = args.work or ROOT / "var" / "eval" / args.set
    if args.set == "calibrate":
        calibrate_from(args.records, args.answerable_from)
        return

    if args.set == "sample":
        index_briefs(args.briefs, work)
        library = open_work_library(work)
        items = sample_items(args.questions)
    elif args.set == "offtopic":
        # Questions of another collection (e.g. IDK-MRC's Wikipedia questions) asked of the sample briefs:
        # nothing there can answer them, the case the evidence gate exists for.
        work = args.work or ROOT / "var" / "eval" / "sample"
        index_briefs(args.briefs, work)
        library = open_work_library(work)
        files = sorted(args.data.glob("queries*.jsonl"))
        rows = [r for r in read_jsonl(files[0]) if r.get("split", "test") == "test"]
        rows = rows[: args.limit] if args.limit else rows
        items = [(str(r["text"]), False, [], []) for r in rows]
    elif args.set == "idk":
        rows = read_jsonl(args.data / "queries-test.jsonl")
        # The pool is every test paragraph even when fewer questions are asked: retrieval stays as hard.
        library = beir_library(args.data, work, {str(r["context_id"]) for r in rows})
        rows = rows[: args.limit] if args.limit else rows
        items = [(str(r["text"]), not r["is_impossible"], [], list(r["answers"])) for r in rows]  # type: ignore[call-overload]
        keys = [str(r["context_id"]) for r in rows]
    else:
        rows = [r for r in read_jsonl(args.data / "queries.jsonl") if r.get("split") == "test"]
        rows = rows[: args.limit] if args.limit else rows
        library = beir_library(
            args.data, work, {str(r["_id"]) for r in read_jsonl(args.data / "corpus.jsonl")}
        )
        items = [(str(r["text"]), True, [], [str(r["answer"])]) for r in rows]
    if args.set != "idk":
        keys = [q for q, *_ in items]

    records = ask_all(answerer_for(library, args.mode), items, keys)
    # Until the thirteenth session the extractive summary re-gated at MIN_EVIDENCE by default, so it went on
    # reporting the first cosine gate after the engine had moved on to the reader's.
    threshold = args.threshold if args.mode == "extractive" else None
    if args.calibrate:
        tune = [r for r, k in zip(records, keys, strict=True) if tune_half(k)]
        held = [r for r, k in zip(records, keys, strict=True) if not tune_half(k)]
        chosen = calibrate(tune)
        report(f"{args.set}-tune", tune, chosen)
        report(f"{args.set}-heldout", held, chosen)
    report(args.set, records, threshold)
    name = f"{args.set}-{args.data.name}" if args.set == "offtopic" and args.data else args.set
    dump = work / f"records-{name}-{args.mode}.jsonl"
    with dump.open("w", encoding="utf-8") as handle:
        for r in records:
            handle.write(json.dumps(r.__dict__, ensure_ascii=False) + "\n")
    print(f"per-question records: {dump}", file=sys.stderr)


if __name__ == "__main__":
    main()
