"""The reader measured against today's engine, side by side in one run (and the reader's cut-offs fitted).

    python -m eval.reader_eval idk   --data ../shared/data/idk_mrc --split test --range 401:844
    python -m eval.reader_eval idk   --data ../shared/data/idk_mrc --split valid
    python -m eval.reader_eval idk-en --data ../shared/data/idk_mrc --split valid --subset heldout
    python -m eval.reader_eval facqa --data ../shared/data/facqa --split test
    python -m eval.reader_eval squad --data ../shared/data/squad2 --split dev --articles valid  # en over en
    python -m eval.reader_eval briefs --briefs ../shared/seeds/000_59da566471c7c808.txt \
        --questions eval/data/seed_questions.jsonl          # the seed article ingested alone
    add --baseline to also answer every question with the reader off (today's engine) and print both;
    add --records FILE to keep every question's raw reader output (for `--fit`);
    python -m eval.reader_eval fit --records R1.jsonl R2.jsonl ...   # choose RANK_PRIOR and the cut-offs

Each question is retrieved once through the store's hybrid search (the library of the set's passage pool under
--work, built on first use), read by the reader (top `reader_passages`), and answered by the engine with its
shipped constants. Metrics: answerable questions answered with the gold answer in the first statement,
unanswerable questions declined, passage R@1 / MRR@10 after reranking (sets with a gold passage), and for
answerable questions the share wrongly declined.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from bot.answering.citations import strip_markers
from bot.answering.engine import Answerer
from bot.answering.reading import RANK_PRIOR, PassageReader
from bot.answering.settings import AnswerSettings
from bot.answering.types import Answer, Answered, expect_answer
from eval.answers import beir_library, index_briefs, open_work_library, read_jsonl
from eval.metrics import roc_auc
from store.language import detect_language
from store.library import BriefLibrary
from training.data import squad_dev_split

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_SEED = 13


@dataclass
class Item:
    question: str
    answerable: bool
    gold_answers: list[str]
    gold_passage: str | None
    lang: str
    """The question's language."""
    passage_lang: str = "id"
    """The language of the set's passages ("mixed" for briefs); with `lang`, the pair a cut-off serves."""


@dataclass
class Outcome:
    abstained: bool
    first_statement: str
    cited: list[str]
    seconds: float


@dataclass
class Record:
    item: Item
    retrieved: list[str] = field(default_factory=list)
    """Brief ids in retrieval order (top 10)."""
    reads: list[dict[str, object]] = field(default_factory=list)
    """Per read passage, in retrieval order: rank, brief, logit, answerable, best span text, span prob."""
    reader: Outcome | None = None
    baseline: Outcome | None = None


def normalise(text: str) -> str:
    # Statements drop the space before punctuation (FacQA's text is pre-tokenised: "Rp 1 , 5 miliar").
    return re.sub(r"\s+([.,;:!?])", r"\1", " ".join(text.lower().split()))


def contains_answer(statement: str, answers: list[str]) -> bool:
    shown = normalise(statement)
    # Gold answers copied from Wikipedia keep its footnotes ("gadis,[3][4][5] yang"); a statement shows the
    # sentence without them (engine._quoted), so the gold is compared the same way.
    golds = (normalise(strip_markers(a)[0]) for a in answers)
    return any(gold and gold in shown for gold in golds)


def first_statement(answer: Answer) -> str:
    """The first statement with its markers, as shown; "" when declined."""
    return answer.lines[0].marked if isinstance(answer, Answered) and answer.lines else ""


def outcome(answerer: Answerer, question: str) -> Outcome:
    started = time.perf_counter()
    answer = expect_answer(answerer.answer(question))
    seconds = time.perf_counter() - started
    return Outcome(
        answer.abstained,
        first_statement(answer),
        [c.brief.id for c in answer.citations],
        seconds,
    )


def passage_lang(name: str) -> str:
    """The language of a set's passages: SQuAD's are English, the others' (IDK-MRC, FacQA) Indonesian."""
    return "en" if name == "squad" else "id"


def items_for(args: argparse.Namespace) -> tuple[list[Item], set[str]]:
    """The questions asked and the ids of the passage pool they are asked over."""
    data: Path = args.data
    if args.set == "briefs":
        rows = read_jsonl(args.questions)
        return [
            Item(
                str(r["question"]),
                bool(r["answerable"]),
                list(r.get("answers", [])),
                None,
                detect_language(str(r["question"])),
                "mixed",
            )  # type: ignore[call-overload]
            for r in rows
        ], set()
    if args.set in ("facqa", "facqa-en"):
        queries = read_jsonl(data / "queries.jsonl")
        rows = [r for r in queries if r.get("split") == args.split]
        qrels = {}
        for line in (data / "qrels.tsv").read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 2 and parts[0] != "query-id":
                qrels[parts[0]] = parts[1]
        pool = {str(r["_id"]) for r in read_jsonl(data / "corpus.jsonl")}
        if args.set == "facqa-en":  # our English questions (`--questions`), over the same passages
            by_id = {str(r["_id"]): r for r in queries}
            ours = read_jsonl(args.questions)
            items = []
            for r in ours:
                source_id = str(r["source_query_id"])
                answer = str(by_id[source_id]["answer"])
                items.append(Item(str(r["text"]), True, [answer], qrels.get(source_id), "en"))
            # ... and our English near-misses over valid-split passages, which those passages do not answer.
            if args.unanswerable is not None and args.unanswerable.exists():
                items.extend(
                    Item(str(r["text_en"]), False, [], None, "en") for r in read_jsonl(args.unanswerable)
                )
            return items, pool
        items = [Item(str(r["text"]), True, [str(r["answer"])], qrels.get(str(r["_id"])), "id") for r in rows]
        return items, pool
    source = read_jsonl(data / f"queries-{args.split}.jsonl")
    pool = {str(r["context_id"]) for r in source}
    if args.set == "squad" and args.articles:  # the articles English->English training left out
        split = squad_dev_split([str(r["title"]) for r in source])
        source = [r for r in source if split[str(r["title"])] == args.articles]  # asked over every paragraph
    if args.set in ("idk", "squad"):
        rows = source
        texts = {str(r["_id"]): str(r["text"]) for r in rows}
        lang = passage_lang(args.set)  # IDK-MRC's questions and SQuAD's are in their paragraphs' language
    else:  # idk-en: our English questions over the same paragraphs
        by_id = {str(r["_id"]): r for r in source}
        ours = [r for r in read_jsonl(args.questions) if not args.subset or r.get("split") == args.subset]
        rows = [by_id[str(r["source_query_id"])] for r in ours]
        texts = {str(r["source_query_id"]): str(r["text"]) for r in ours}
        lang = "en"
    items = [
        Item(
            texts[str(r["_id"])],
            not r["is_impossible"],
            list(r["answers"]),  # type: ignore[call-overload]
            None if r["is_impossible"] else str(r["context_id"]),
            lang,
            passage_lang(args.set),
        )
        for r in rows
    ]
    return items, pool


def ranked(record: Record, rank_prior: float) -> list[str]:
    """Brief ids after reranking the read passages with `rank_prior`; the unread rest keep their order."""
    reads = sorted(record.reads, key=lambda r: -(float(r["logit"]) - rank_prior * int(r["rank"])))  # type: ignore[arg-type]
    head = [str(r["brief"]) for r in reads]
    return head + record.retrieved[len(head) :]


def passage_scores(records: list[Record], rank_prior: float | None) -> dict[str, float]:
    hits, rr, n = 0, 0.0, 0
    for record in records:
        gold = record.item.gold_passage
        if gold is None:
            continue
        order = record.retrieved if rank_prior is None else ranked(record, rank_prior)
        n += 1
        if order[:1] == [gold]:
            hits += 1
        if gold in order[:10]:
            rr += 1 / (order.index(gold) + 1)
    return {"R@1": hits / n, "MRR@10": rr / n} if n else {}


def answer_scores(records: list[Record], which: str) -> dict[str, float]:
    answerable = [r for r in records if r.item.answerable]
    unanswerable = [r for r in records if not r.item.answerable]

    def out(r: Record) -> Outcome:
        o = r.reader if which == "reader" else r.baseline
        assert o is not None
        return o

    scores: dict[str, float] = {}
    if answerable:
        good = sum(not out(r).abstained and contains_answer(out(r).first_statement, r.item.gold_answers)
                   for r in answerable)  # fmt: skip
        scores["fact_in_first_statement"] = good / len(answerable)
        scores["answerable_declined"] = sum(out(r).abstained for r in answerable) / len(answerable)
    if unanswerable:
        scores["unanswerable_declined"] = sum(out(r).abstained for r in unanswerable) / len(unanswerable)
    seconds = sorted(out(r).seconds for r in records)
    scores["p50_s"] = seconds[len(seconds) // 2]
    scores["p95_s"] = seconds[max(0, math.ceil(0.95 * len(seconds)) - 1)]
    return scores


def library_for(args: argparse.Namespace, pool: set[str]) -> BriefLibrary:
    """The set's library under `--work` (built on first use): the briefs ingested alone, or the passage pool
    as briefs in the set's passage language."""
    if args.set == "briefs":
        work = args.work or ROOT / "var" / "eval" / f"reader-briefs-{args.briefs.stem}"
        index_briefs(args.briefs, work)
        return open_work_library(work)
    # As eval/answers.py: FacQA's pool is every passage, IDK-MRC's the split's paragraphs.
    name = (
        "facqa"
        if args.set.startswith("facqa")
        else f"squad-{args.split}-en"
        if args.set == "squad"
        else "idk"
        if args.split == "test"
        else f"idk-{args.split}"
    )
    return beir_library(args.data, args.work or ROOT / "var" / "eval" / name, pool, passage_lang(args.set))


def run(args: argparse.Namespace) -> list[Record]:
    items, pool = items_for(args)
    if args.range:
        first, last = (int(x) for x in args.range.split(":"))
        items = items[first - 1 : last]
    if args.sample:  # a seeded spread over the whole set (SQuAD's dev questions come grouped by article)
        items = random.Random(SAMPLE_SEED).sample(items, min(args.sample, len(items)))
    if args.limit:
        items = items[: args.limit]
    library = library_for(args, pool)
    settings = AnswerSettings()
    with_reader = Answerer(library, settings)
    without = Answerer(library, settings.model_copy(update={"reader": False})) if args.baseline else None
    reader = PassageReader()
    records = []
    for number, item in enumerate(items, 1):
        record = Record(item)
        passages = library.search(item.question, k=10)
        record.retrieved = [p.brief.id for p in passages]
        top = passages[: settings.reader_passages] if args.measure != "answers" else []
        for rank, (passage, reading) in enumerate(zip(top, reader.raw(item.question, top), strict=True)):
            best = reading.spans[0] if reading.spans else None
            record.reads.append(
                {
                    "rank": rank,
                    "brief": passage.brief.id,
                    "logit": reading.logit,
                    "answerable": reading.answerable,
                    "span": passage.text[best.start : best.end] if best else "",
                    "span_p": best.probability if best else 0.0,
                }
            )
        if args.measure == "reads":
            records.append(record)
            continue
        record.reader = outcome(with_reader, item.question)
        if without is not None:
            record.baseline = outcome(without, item.question)
        records.append(record)
        if number % 50 == 0:
            print(f"{number}/{len(items)}", file=sys.stderr, flush=True)
    return records


# The gate's pick, per language pair (the floor is the question language's): the lowest cut-off that still
# declines this share of the unanswerable valid questions. The shares are the reader issue's floors for unseen
# questions (0.65 for Indonesian questions over Indonesian passages, 0.60 for English ones over Indonesian
# passages; English over English passages takes the English floor) plus 0.05 for the step from valid to unseen
# questions (about two standard errors on 400 unanswerable valid questions). Above its floor every further
# point of declines cost more answerable questions than it was worth: the same issue asks for at most 5% of
# answerable questions declined, which no cut-off reaches at these floors.
DECLINE_FLOOR = {"id": 0.70, "en": 0.65}
# Where a language has no unanswerable valid questions (or no floor), the cut-off answers this share instead.
KEEP_ANSWERED = 0.9
# An emphasised phrase (bold inside the quoted sentence) should hold the asked fact this often.
EMPHASIS_PRECISION = 0.85


def lead_read(reads: list[dict[str, object]], rank_prior: float) -> dict[str, object]:
    """The read passage that leads: best answerability logit less `rank_prior` per retrieval rank."""
    return max(reads, key=lambda r: float(r["logit"]) - rank_prior * int(r["rank"]))  # type: ignore[arg-type,call-overload]


def fit(paths: list[Path]) -> None:
    """RANK_PRIOR by passage MRR@10 and answer-in-lead-span; then, per language pair, the gate's curve.

    The curve lists, for each cut-off, the share of answerable questions answered and of unanswerable ones
    declined; pick the cut-off there (docs/measurements.md says which and why).
    """
    records = [_record(row) for path in paths for row in read_jsonl(path)]
    for prior in [0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0]:
        lead_hits = 0
        answerable = [r for r in records if r.item.answerable and r.reads]
        for record in answerable:
            lead_hits += contains_answer(
                str(lead_read(record.reads, prior)["span"]), record.item.gold_answers
            )
        scores = passage_scores(records, prior)
        print(
            json.dumps(
                {"rank_prior": prior, **scores, "answer_in_lead_span": lead_hits / max(1, len(answerable))}
            )
        )
    _fit_emphasis([r for r in records if r.item.answerable and r.reads])
    for pair in sorted({_pair(r.item) for r in records}):
        group = [r for r in records if _pair(r.item) == pair]
        lang = pair.split("-")[0]
        best = [max((float(x["answerable"]) for x in r.reads), default=0.0) for r in group]  # type: ignore[arg-type]
        pos = [b for b, r in zip(best, group, strict=True) if r.item.answerable]
        neg = [b for b, r in zip(best, group, strict=True) if not r.item.answerable]
        # Threshold-free: how well the best passage's answerability separates answerable from unanswerable.
        if pos and neg:
            auc = roc_auc(np.array(best), np.array([r.item.answerable for r in group]))
            print(json.dumps({"pair": pair, "roc_auc": round(auc, 4)}))
        # The pick is made on a 0.01 grid: a model trained on more data is less sure of itself, and on a
        # 0.05 grid the English pick fell from 0.15 (89.7% answered) to 0.10, a step that gave up 7 points
        # of declines for 3 of answers. Every fifth cut-off is printed.
        curve = []
        for step in range(1, 100):
            cut = step / 100
            answered = sum(b >= cut for b in pos) / max(1, len(pos))
            declined = sum(b < cut for b in neg) / max(1, len(neg))
            curve.append((answered, declined, cut))
            if step % 5 == 0:
                row = {"pair": pair, "answerable": len(pos), "unanswerable": len(neg), "cutoff": cut}
                print(json.dumps({**row, "answered": round(answered, 3), "declined": round(declined, 3)}))
        answered, declined, cut = _pick(curve, DECLINE_FLOOR.get(lang) if neg else None)
        print(
            json.dumps(
                {"pair": pair, "pick": cut, "answered": round(answered, 3), "declined": round(declined, 3)}
            )
        )


def _pair(item: Item) -> str:
    """The language pair a cut-off serves: question language, then passage language ("en-id")."""
    return f"{item.lang}-{item.passage_lang}"


def _pick(curve: list[tuple[float, float, float]], floor: float | None) -> tuple[float, float, float]:
    """(answered, declined, cut-off) of the lowest cut-off declining `floor` of the unanswerable questions;
    without a floor, of the highest one still answering KEEP_ANSWERED of the answerable ones."""
    if floor is not None:
        reaching = [c for c in curve if c[1] >= floor]
        if reaching:
            return reaching[0]
    keep = [c for c in curve if c[0] >= KEEP_ANSWERED] or curve[:1]
    return keep[-1]


def _fit_emphasis(answerable: list[Record]) -> None:
    """EMPHASIS_MIN: the lowest span probability at which the lead passage's top span holds the gold answer in
    EMPHASIS_PRECISION of the answerable questions it would be shown for (0.005 grid; the trained readers'
    span probabilities sit low: the GPU-trained one rarely gives a span more than 0.1)."""
    points = []
    for record in answerable:
        lead = lead_read(record.reads, RANK_PRIOR)
        hit = contains_answer(str(lead["span"]), record.item.gold_answers)
        points.append((float(lead["span_p"] or 0.0), hit))  # type: ignore[arg-type]
    if not points:
        return
    pick = None
    for step in range(1, 100):
        cut = step / 200
        shown = [hit for p, hit in points if p >= cut]
        precision = sum(shown) / len(shown) if shown else 0.0
        row = {
            "emphasis_min": cut,
            "shown": round(len(shown) / len(points), 3),
            "precision": round(precision, 3),
        }
        if step % 2 == 0:
            print(json.dumps(row))
        if pick is None and len(shown) >= 20 and precision >= EMPHASIS_PRECISION:
            pick = row
    print(json.dumps({"emphasis_pick": pick}))


def _record(row: dict[str, object]) -> Record:
    item = Item(**row["item"])  # type: ignore[arg-type]
    record = Record(item, list(row["retrieved"]), list(row["reads"]))  # type: ignore[call-overload]
    record.reader = Outcome(**row["reader"]) if row.get("reader") else None  # type: ignore[arg-type]
    record.baseline = Outcome(**row["baseline"]) if row.get("baseline") else None  # type: ignore[arg-type]
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("set", choices=["idk", "idk-en", "squad", "facqa", "facqa-en", "briefs", "fit"])
    parser.add_argument("--briefs", type=Path, help="briefs: a file or folder ingested alone")
    parser.add_argument("--data", type=Path)
    parser.add_argument("--split", default="test")
    parser.add_argument(
        "--questions",
        type=Path,
        help="idk-en / facqa-en: our English questions (default: eval/data/idkmrc_en_questions.jsonl / "
        "facqa_en_questions.jsonl); briefs: the questions file",
    )
    parser.add_argument(
        "--unanswerable",
        type=Path,
        default=ROOT / "eval" / "data" / "facqa_en_unanswerable.jsonl",
        help="facqa-en: our English questions that their FacQA passages do not answer",
    )
    parser.add_argument("--subset", help="idk-en: tune or heldout")
    parser.add_argument(
        "--articles", choices=["valid", "test"], help="squad: the dev articles kept out of training"
    )
    parser.add_argument("--range", help="FIRST:LAST questions, 1-based inclusive")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--sample", type=int, default=0, help="a seeded random sample of this many questions")
    parser.add_argument("--work", type=Path)
    parser.add_argument("--baseline", action="store_true", help="also answer with the reader off")
    parser.add_argument("--records", type=Path, nargs="*", default=[])
    parser.add_argument(
        "--measure",
        choices=["both", "reads", "answers"],
        default="both",
        help="reads: only the reader's raw output (for fit); answers: only the engine's answers",
    )
    args = parser.parse_args(argv)
    if args.questions is None and args.set in ("idk-en", "facqa-en"):
        name = "idkmrc_en_questions.jsonl" if args.set == "idk-en" else "facqa_en_questions.jsonl"
        args.questions = ROOT / "eval" / "data" / name
    if args.set == "fit":
        fit(args.records)
        return 0
    records = run(args)
    if args.records:
        with args.records[0].open("w", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(asdict(record), ensure_ascii=False) + "\n")
    summary: dict[str, object] = {"set": args.set, "split": args.split, "subset": args.subset,
                                  "range": args.range, "questions": len(records)}  # fmt: skip
    reader: dict[str, float] = {}
    if args.measure != "reads":
        reader.update(answer_scores(records, "reader"))
    if args.measure != "answers":
        reader.update(passage_scores(records, RANK_PRIOR))
    summary["reader"] = reader
    if args.baseline:
        summary["today"] = {**answer_scores(records, "baseline"), **passage_scores(records, None)}
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
