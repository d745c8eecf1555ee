"""How the reader reads a paragraph inside a chunk-length passage, against the paragraph alone.

The valid sets' passages are paragraphs (a median of about 100 tokens); the store's chunks run to 220. Each
question's paragraph (the gold one, or the one an unanswerable question was written against) is read alone and
padded to about `--words` words with sentences of the other paragraphs the question retrieved (on topic, as a
brief's other paragraphs are), the paragraph at a random place among them:

    python -m eval.chunk_reads --data ../shared/data/idk_mrc --records var/eval/valid12/w8-en-tune.jsonl \\
        --questions eval/data/idkmrc_en_questions.jsonl --out var/eval/chunks/en-256.jsonl
    python -m eval.chunk_reads --data ../shared/data/idk_mrc --records var/eval/valid12/w8-idk-valid.jsonl \\
        --out var/eval/chunks/id-256.jsonl
    # the same with --max-len 128 (reading windows) and --base var/eval/chunks/en-256.jsonl for the intervals

`--records` are valid reads of `eval.reader_eval ... --measure reads`: their retrieved lists give the
padding. Valid material only: the padding of a test question would come from test paragraphs.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import numpy as np

from bot.reader.model import MAX_LEN, Reader
from eval.answers import read_jsonl
from eval.metrics import roc_auc
from eval.reader_compare import paired
from training.chunks import PADDED_WORDS, padded


def questions(data: Path, english: Path | None) -> list[dict[str, object]]:
    """Valid questions with their paragraph: IDK-MRC's own, or our English tune split over its paragraphs."""
    if english is not None:
        return [row for row in read_jsonl(english) if row.get("split") == "tune"]
    return read_jsonl(data / "queries-valid.jsonl")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True, help="the IDK-MRC folder of ../shared/data")
    parser.add_argument("--records", type=Path, required=True, help="valid reads with retrieved lists")
    parser.add_argument("--questions", type=Path, help="our English questions file (tune split)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--words", type=int, default=PADDED_WORDS)
    parser.add_argument("--max-len", type=int, default=MAX_LEN, help="the reader's window, in tokens")
    parser.add_argument("--base", type=Path, help="another run's --out: paired intervals against it")
    args = parser.parse_args(argv)

    corpus = {str(row["_id"]): str(row["text"]) for row in read_jsonl(args.data / "corpus.jsonl")}
    retrieved = {str(r["item"]["question"]): list(r["retrieved"]) for r in read_jsonl(args.records)}  # type: ignore[index,call-overload]
    rng = random.Random(args.seed)
    rows = questions(args.data, args.questions)
    rng.shuffle(rows)
    rows = [row for row in rows if str(row["text"]) in retrieved][: args.limit]
    reader = Reader(max_len=args.max_len)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    results = []
    for row in rows:
        own = str(row["context_id"])
        neighbours = [corpus[c] for c in retrieved[str(row["text"])] if c != own and c in corpus]
        paragraph = corpus[own]
        chunk = padded(paragraph, neighbours, rng, args.words)
        alone, inside = reader.read(str(row["text"]), [paragraph, chunk])
        results.append(
            {
                "question": row["text"],
                "answerable": not row["is_impossible"],
                "alone": alone.logit,
                "padded": inside.logit,
                "words": [len(paragraph.split()), len(chunk.split())],
            }
        )
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results), encoding="utf-8")
    labels = np.array([bool(r["answerable"]) for r in results])
    for key in ("alone", "padded"):
        scores = np.array([float(r[key]) for r in results])  # type: ignore[arg-type]
        tenth = 1 / (1 + np.exp(-np.quantile(scores[labels], 0.1)))
        summary = {"read": key, "questions": len(results), "roc_auc": round(roc_auc(scores, labels), 4)}
        print(json.dumps({**summary, "answerable_tenth_percentile": round(float(tenth), 3)}))
    if args.base is not None:
        base = read_jsonl(args.base)
        if [b["question"] for b in base] != [r["question"] for r in results]:
            raise SystemExit("--base holds other questions (same --records, --seed and --limit needed)")
        for key in ("alone", "padded"):
            before = np.array([float(b[key]) for b in base])  # type: ignore[arg-type]
            after = np.array([float(r[key]) for r in results])  # type: ignore[arg-type]
            print(json.dumps(paired(f"ROC AUC, {key}", before, after, roc_auc, labels).row()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
