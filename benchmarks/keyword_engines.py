"""Keyword engines side by side on the same pre-analysed chunks: the store's SQLite postings file (BM25
computed at query time with numpy) against SQLite FTS5's built-in bm25() over the same terms.

    python -m benchmarks.keyword_engines [--chunks 100000] [--queries 200] [--corpus FILE]

Chunks are ~120 words drawn from the FacQA passages' own word stream; questions are FacQA questions. Prints
build seconds, file size, query p50/p95 and how often the two engines agree on the top hit (FTS5's bm25 has
fixed k1 = 1.2, b = 0.75 and a different idf, ln((N - df + 0.5) / (df + 0.5)), so its ranking differs).
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import tempfile
import time
from pathlib import Path

from benchmarks.common import DEFAULT_CORPUS, read_records
from eval.metrics import percentile
from store.analysis import Analyzer
from store.keyword_store import ChunkRow, KeywordStore
from store.keyword_view import KeywordView

WORDS_PER_CHUNK = 120
BATCH = 20_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.keyword_engines", description=__doc__)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args(argv)
    records = read_records(args.corpus, 1000)
    words = [w for r in records for w in str(r["text"]).split() if w.isalpha()]
    lines = (args.corpus.parent / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [str(json.loads(line)["text"]) for line in lines if line.strip()][: args.queries]
    analyzer = Analyzer()
    pick = random.Random(7)
    out: dict[str, object] = {"chunks": args.chunks}
    with tempfile.TemporaryDirectory(prefix="briefbot-engines-") as tmp:
        ours = KeywordStore(Path(tmp) / "postings.sqlite", analyzer)
        fts = sqlite3.connect(Path(tmp) / "fts5.sqlite", isolation_level=None)
        fts.execute("PRAGMA journal_mode=WAL")
        fts.execute("CREATE VIRTUAL TABLE t USING fts5(terms, tokenize = 'unicode61 remove_diacritics 0')")
        ours_s = fts_s = 0.0
        for start in range(0, args.chunks, BATCH):
            texts = [
                " ".join(pick.choices(words, k=WORDS_PER_CHUNK))
                for _ in range(min(BATCH, args.chunks - start))
            ]
            rows = [
                ChunkRow(f"c{start + i}#0", t, {"brief_id": f"c{start + i}"}) for i, t in enumerate(texts)
            ]
            mark = time.perf_counter()
            with ours.writing() as writer:
                writer.add(rows)
            ours_s += time.perf_counter() - mark
            mark = time.perf_counter()
            fts.execute("BEGIN")
            analysed = [(start + i + 1, " ".join(analyzer.terms(t))) for i, t in enumerate(texts)]
            fts.executemany("INSERT INTO t(rowid, terms) VALUES (?, ?)", analysed)
            fts.execute("COMMIT")
            fts_s += time.perf_counter() - mark
        view = KeywordView(Path(tmp) / "postings.sqlite", analyzer)
        len(view)  # the view's one-off column load, not a query
        ours_ms, fts_ms, agree, both = [], [], 0, 0
        for question in questions:
            mark = time.perf_counter()
            _, hits = view.lookup(question, 40)
            ours_ms.append((time.perf_counter() - mark) * 1000)
            terms = sorted(set(analyzer.terms(question)))
            mark = time.perf_counter()
            top = []
            if terms:
                match = " OR ".join('"' + t.replace('"', "") + '"' for t in terms)
                top = fts.execute(
                    "SELECT rowid FROM t WHERE t MATCH ? ORDER BY rank LIMIT 40", (match,)
                ).fetchall()
            fts_ms.append((time.perf_counter() - mark) * 1000)
            if hits and top:
                both += 1
                agree += hits[0].chunk_id == f"c{top[0][0] - 1}#0"
        sizes = {p.name: p.stat().st_size for p in Path(tmp).iterdir()}
        out["postings_build_s"] = round(ours_s, 1)
        out["fts5_build_s"] = round(fts_s, 1)
        out["postings_mb"] = round(sum(v for k, v in sizes.items() if k.startswith("postings")) / 2**20)
        out["fts5_mb"] = round(sum(v for k, v in sizes.items() if k.startswith("fts5")) / 2**20)
        out["postings_p50_ms"] = round(percentile(ours_ms, 50), 1)
        out["postings_p95_ms"] = round(percentile(ours_ms, 95), 1)
        out["fts5_p50_ms"] = round(percentile(fts_ms, 50), 1)
        out["fts5_p95_ms"] = round(percentile(fts_ms, 95), 1)
        out["same_top_hit"] = round(agree / both, 3) if both else None
        view.close()
        ours.close()
        fts.close()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
