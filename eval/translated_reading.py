"""The question translated before reading (generated mode), measured on the reader's decisions alone.

    python -m eval.translated_reading collect idk-en --data ../shared/data/idk_mrc --subset tune \
        --out var/eval/translated/tune.jsonl          # starts llama.cpp with the packaged 1.5B model
    python -m eval.translated_reading collect facqa-en --data ../shared/data/facqa --split valid \
        --questions eval/data/facqa_en_valid_questions.jsonl \
        --unanswerable eval/data/facqa_en_valid_unanswerable.jsonl --out var/eval/translated/facqa.jsonl
    python -m eval.translated_reading collect briefs --briefs ../shared/seeds/000_59da566471c7c808.txt \
        --questions eval/data/seed_questions_22.jsonl --out var/eval/translated/seed.jsonl
    python -m eval.translated_reading score var/eval/translated/tune.jsonl ...   # one table per file

`collect` retrieves each question as the engine does, reads the top `reader_passages` with the question as
asked, and (where some of them are in the other language) has the model translate the question
(`QuestionTranslator`, the product's prompt) and reads those passages again; every reading is kept.
`--llm-url` uses a running OpenAI-compatible server instead of starting one. `score` replays the engine's
reader decisions (`reading.choose`, as asked or over `reading.merged`) at each translated cut-off of
`--cutoffs` and each floor of `--floors` (the asked reading a translated one needs): answerable questions
whose first statement holds the gold answer (sets with one) or comes from an expected brief (the sample
questions), answerable questions declined, unanswerable ones declined. The topic floor and the recency rule
are left out: they act the same with and without the translation.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

from bot.answering import reading
from bot.answering.llm import ChatModel
from bot.answering.question_translation import QuestionTranslator
from bot.answering.reading import PassageReader, ReadPassage, choose, merged, needs_translation
from bot.answering.settings import AnswerSettings, LLMSettings
from bot.reader.model import Reading, Span
from eval.answers import read_jsonl
from eval.reader_eval import ROOT, contains_answer, items_for, library_for
from store.language import detect_language
from store.types import BriefInfo, Passage

MODEL = ROOT / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
CUTOFFS = (0.03, 0.05, 0.1, 0.2)
FLOORS = (0.0, 0.008, 0.01, 0.012, 0.015)
NEVER_DECISIVE = 1.01
"""An asked reading no passage reaches: the translation is always asked for."""


def _reading(found: Reading) -> dict[str, Any]:
    return {
        "answerable": found.answerable,
        "logit": found.logit,
        "spans": [[s.start, s.end, s.probability] for s in found.spans[:3]],
    }


@contextlib.contextmanager
def _server(args: argparse.Namespace) -> Iterator[str]:
    if args.llm_url:
        yield args.llm_url
        return
    from harness.llm import llama_server

    with llama_server(args.model, args.out.with_suffix(".llama.log"), threads=args.threads) as url:
        yield url


def collect(args: argparse.Namespace) -> None:
    args.articles = None
    items, pool = items_for(args)
    if args.limit:  # spread evenly over the set
        step = max(1, len(items) // args.limit)
        items = items[::step][: args.limit]
    library = library_for(args, pool)
    expected: list[list[str]] = []
    if args.set == "briefs":
        expected = [list(r.get("expected_briefs", [])) for r in read_jsonl(args.questions)]  # type: ignore[call-overload]
    reader = PassageReader()
    top = AnswerSettings().reader_passages
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with _server(args) as url, args.out.open("w", encoding="utf-8") as out:
        values = {"base_url": url, "model": "local", "temperature": 0.0, "timeout": 120}
        translator = QuestionTranslator(ChatModel(LLMSettings.model_validate(values)))
        for number, item in enumerate(items):
            lang = detect_language(item.question)
            passages = library.search(item.question, k=10)[:top]
            asked = reader.raw(item.question, passages)
            foreign = [p for p in passages if p.brief.lang in ("en", "id") and p.brief.lang != lang]
            started = time.perf_counter()
            translation = translator.translate(item.question, foreign[0].brief.lang) if foreign else None
            seconds = time.perf_counter() - started
            again = dict(zip(foreign, reader.raw(translation, foreign), strict=True)) if translation else {}
            row = {
                "question": item.question,
                "lang": lang,
                "answerable": item.answerable,
                "gold": item.gold_answers,
                "expected": expected[number] if expected else [],
                "translation": translation,
                "translation_seconds": seconds,
                "passages": [
                    {
                        "chunk_id": p.chunk_id,
                        "brief": p.brief.id,
                        "lang": p.brief.lang,
                        "text": p.text,
                        "asked": _reading(r),
                        "translated": _reading(again[p]) if p in again else None,
                    }
                    for p, r in zip(passages, asked, strict=True)
                ],
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            out.flush()
            if number % 50 == 0:
                print(f"{number}/{len(items)}", file=sys.stderr, flush=True)


def _read(row: dict[str, Any], which: str) -> list[ReadPassage]:
    """The engine's `ReadPassage`s of one question's record, as asked or translated (those read so)."""
    reads = []
    for rank, p in enumerate(row["passages"]):
        found = p[which]
        if found is None:
            continue
        info = BriefInfo(p["brief"], p["brief"], "", None, date(2025, 1, 1), p["lang"], "eval", "eval", "", 1)
        passage = Passage(p["chunk_id"], info, p["text"], 0, len(p["text"]), 0, 0.0)
        spans = [Span(int(s), int(e), float(q)) for s, e, q in found["spans"]]
        score = float(found["logit"]) - reading.RANK_PRIOR * rank  # as `PassageReader.read` orders them
        answerable = float(found["answerable"])
        reads.append(ReadPassage(passage, rank, answerable, score, spans, which == "translated"))
    return sorted(reads, key=lambda r: -r.score)


def decide(
    row: dict[str, Any], translated_cutoff: float | None, floor: float = 0.0, decisive: float | None = None
) -> tuple[bool, bool]:
    """(answered, right): the engine's choice as asked (`translated_cutoff` None) or with the translation,
    at that cut-off and `floor` (`reading.TRANSLATED_NEEDS_ASKED`); `decisive`: the asked reading from which
    the translation is not asked for (`reading.ASKED_DECISIVE`, the engine's when None)."""
    reads = _read(row, "asked")
    # Both are read where `merged` picks each passage's reading, the cut-off again where `choose` gates it.
    with (
        mock.patch.object(reading, "ANSWER_CUTOFF_TRANSLATED", translated_cutoff or 1.0),
        mock.patch.object(reading, "TRANSLATED_NEEDS_ASKED", floor),
        mock.patch.object(reading, "ASKED_DECISIVE", decisive or reading.ASKED_DECISIVE),
    ):
        if translated_cutoff is not None and row["translation"] and needs_translation(reads):
            reads = merged(reads, _read(row, "translated"), row["lang"])
        choices = choose(reads, row["lang"], AnswerSettings().max_sentences)
    if not choices:
        return False, False
    lead = choices[0]
    if row["expected"]:
        return True, lead.read.passage.brief.id in row["expected"]
    return True, contains_answer(lead.sentence.text, row["gold"])


def table(
    rows: list[dict[str, Any]], cutoffs: tuple[float, ...], floors: tuple[float, ...] = (0.0,)
) -> list[str]:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    translated = sum(1 for r in rows if r["translation"])
    lines = [
        f"{len(answerable)} answerable, {len(unanswerable)} unanswerable; "
        f"translated {translated} of {len(rows)}",
        "",
        "| reading | right first | answerable declined | unanswerable declined |",
        "|---|---|---|---|",
    ]
    settings: list[tuple[float | None, float]] = [(None, 0.0)]
    settings += [(cutoff, floor) for floor in floors for cutoff in cutoffs]
    for cutoff, floor in settings:
        decided = [decide(r, cutoff, floor) for r in answerable]
        declined = sum(1 for r in unanswerable if not decide(r, cutoff, floor)[0])
        name = "as asked" if cutoff is None else f"translated, cut-off {cutoff:.2f}, asked >= {floor:.3f}"
        right = sum(1 for answered, good in decided if answered and good)
        missed = sum(1 for answered, _ in decided if not answered)
        cells = [
            f"{right} ({_share(right, len(answerable))})",
            f"{missed} ({_share(missed, len(answerable))})",
            f"{declined} ({_share(declined, len(unanswerable))})",
        ]
        lines.append(f"| {name} | {' | '.join(cells)} |")
    return lines


def skipping(rows: list[dict[str, Any]], decisive: tuple[float, ...]) -> list[str]:
    """At the engine's cut-off and floor: for each `decisive` value, the translations not asked for and the
    decisions that differ from always translating (answerable right first and declined, unanswerable
    declined: the change in each)."""
    cutoff, floor = reading.ANSWER_CUTOFF_TRANSLATED, reading.TRANSLATED_NEEDS_ASKED
    translated = [r for r in rows if r["translation"]]
    always = [decide(r, cutoff, floor, NEVER_DECISIVE) for r in translated]
    lines = [
        "| asked reading that skips the translation | translations skipped | decisions changed "
        "| right first | answerable declined | unanswerable declined |",
        "|---|---|---|---|---|---|",
    ]
    for value in decisive:
        decided = [decide(r, cutoff, floor, value) for r in translated]
        skipped = sum(1 for r in translated if not needs_translation_at(r, value))
        changed = sum(1 for a, b in zip(always, decided, strict=True) if a != b)
        delta = [0, 0, 0]
        for row, before, now in zip(translated, always, decided, strict=True):
            if row["answerable"]:
                delta[0] += int(now[0] and now[1]) - int(before[0] and before[1])
                delta[1] += int(not now[0]) - int(not before[0])
            else:
                delta[2] += int(not now[0]) - int(not before[0])
        cells = [f"{value:.2f}", f"{skipped} of {len(translated)}", str(changed)]
        cells += [f"{d:+d}" for d in delta]
        lines.append(f"| {' | '.join(cells)} |")
    return lines


def needs_translation_at(row: dict[str, Any], decisive: float) -> bool:
    """Whether the engine asks for `row`'s question to be translated at `ASKED_DECISIVE` = `decisive`."""
    with mock.patch.object(reading, "ASKED_DECISIVE", decisive):
        return needs_translation(_read(row, "asked"))


def _share(count: int, total: int) -> str:
    return f"{count / total:.3f}" if total else "-"


def score(args: argparse.Namespace) -> None:
    cutoffs = tuple(float(x) for x in args.cutoffs.split(","))
    floors = tuple(float(x) for x in args.floors.split(","))
    for path in args.records:
        rows = read_jsonl(path)
        print(f"### {path.name}\n")
        print("\n".join(table(rows, cutoffs, floors)) + "\n")
        if args.decisive:
            values = tuple(float(x) for x in args.decisive.split(","))
            print("\n".join(skipping(rows, values)) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    got = sub.add_parser("collect", help="read each question as asked and translated; keep every reading")
    got.add_argument("set", choices=["idk-en", "facqa-en", "briefs"])
    got.add_argument("--data", type=Path)
    got.add_argument("--split", default="valid")
    got.add_argument("--subset", help="idk-en: tune or heldout")
    got.add_argument("--questions", type=Path, default=ROOT / "eval" / "data" / "idkmrc_en_questions.jsonl")
    got.add_argument("--unanswerable", type=Path, help="facqa-en: our English near-misses over its passages")
    got.add_argument("--briefs", type=Path, help="briefs: a file or folder ingested alone")
    got.add_argument("--work", type=Path)
    got.add_argument("--limit", type=int, default=0, help="this many questions, spread evenly")
    got.add_argument("--out", type=Path, required=True)
    got.add_argument("--llm-url", default="")
    got.add_argument("--model", type=Path, default=MODEL)
    got.add_argument("--threads", type=int, default=2)
    scored = sub.add_parser("score", help="the reader's decisions with and without the translation")
    scored.add_argument("records", type=Path, nargs="+")
    scored.add_argument("--cutoffs", default=",".join(str(c) for c in CUTOFFS))
    scored.add_argument("--floors", default=",".join(str(f) for f in FLOORS))
    scored.add_argument(
        "--decisive", default="", help="asked readings from which the translation is skipped, e.g. 0.5,0.9"
    )
    args = parser.parse_args(argv)
    if args.command == "collect":
        collect(args)
    else:
        score(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
