"""How often the sentence splitter cuts a labelled answer in two (such an answer cannot be quoted whole).

    python -m eval.sentence_splits --data ../shared/data

Counts, over FacQA (every split) and IDK-MRC train/valid, the answer spans that no single sentence of
`store.sentences.sentence_spans` holds. The figures for choosing the splitter are in docs/measurements.md.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path

from store.sentences import sentence_spans


def _jsonl(path: Path) -> Iterator[dict[str, object]]:
    with path.open(encoding="utf-8") as handle:
        yield from (json.loads(line) for line in handle if line.strip())


def _answers(data: Path) -> Iterator[tuple[str, str, int, int]]:
    for row in _jsonl(data / "facqa" / "answers.jsonl"):
        for span in row["spans"]:  # type: ignore[attr-defined]
            yield "facqa", str(row["corpus_id"]), span["start"], span["start"] + len(span["text"])
    for split in ("train", "valid"):
        for row in _jsonl(data / "idk_mrc" / f"queries-{split}.jsonl"):
            for answer, start in zip(row["answers"], row.get("answer_start", []), strict=False):  # type: ignore[call-overload]
                yield "idk_mrc", str(row["context_id"]), int(start), int(start) + len(answer)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder")
    args = parser.parse_args(argv)
    corpus = {
        (name, str(row["_id"])): str(row["text"])
        for name in ("facqa", "idk_mrc")
        for row in _jsonl(args.data / name / "corpus.jsonl")
    }
    counts: dict[str, list[int]] = {}
    for name, passage, start, end in _answers(args.data):
        spans = sentence_spans(corpus[(name, passage)])
        cut = not any(a <= start and end <= b for a, b in spans)
        seen = counts.setdefault(name, [0, 0])
        seen[0] += 1
        seen[1] += cut
    print(json.dumps({name: {"answers": n, "cut": cut} for name, (n, cut) in counts.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
