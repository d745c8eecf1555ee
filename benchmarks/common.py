"""Helpers of the store benchmarks: sample records from a BEIR corpus, a scratch store's settings, output."""

from __future__ import annotations

import json
import platform
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from store.library import BriefLibrary
from store.records import chunk_metadata
from store.settings import BriefbotSettings, StoreSettings
from store.types import Brief, Chunk

DEFAULT_CORPUS = Path("../shared/data/facqa/corpus.jsonl")


def read_records(corpus: Path, limit: int) -> list[dict[str, Any]]:
    """The first `limit` records of a JSONL corpus (`_id`, `text`, ...), so every run uses the same ones."""
    records: list[dict[str, Any]] = []
    with corpus.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                records.append(json.loads(line))
            if len(records) >= limit:
                break
    if len(records) < limit:
        raise SystemExit(f"{corpus} holds only {len(records)} records; {limit} were asked for.")
    return records


def write_records(records: Sequence[dict[str, Any]], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def scratch_store(work: Path, *, cache_dir: Path | None) -> StoreSettings:
    """Environment settings with Chroma in `work`; the embedding cache in `cache_dir`, or off when None."""
    base = BriefbotSettings().store  # type: ignore[call-arg]  # fields come from the environment
    embedding = base.embedding.model_copy(update={"cache": cache_dir is not None})
    return base.model_copy(
        update={
            "data_dir": cache_dir or work,
            "chroma_path": work / "chroma",
            "keyword_path": work / "keyword",
            "chroma_host": None,
            "embedding": embedding,
        }
    )


def print_table(title: str, rows: Sequence[tuple[str, str, str]]) -> None:
    """Rows of (measure, value, target) as a small markdown table."""
    print(f"\n{title}\n")
    print("| measure | value | target |")
    print("|---|---|---|")
    for measure, value, target in rows:
        print(f"| {measure} | {value} | {target} |")


def write_json(path: Path | None, payload: dict[str, Any]) -> None:
    if path is None:
        return
    payload = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        **payload,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2), encoding="utf-8")


_INSERT_BATCH = 2000


def add_synthetic(
    library: BriefLibrary,
    count: int,
    vocabulary: list[str],
    *,
    words: int,
    per_brief: int = 1,
    scope: str = "synthetic",
    first: int = 0,
) -> None:
    """Write `count` synthetic chunks (`words` random words each, `per_brief` per brief, unit vectors)
    straight into the serving collection, no embedding model involved; then move the pointer as any writer
    does, so searchers (and the keyword index file) catch up with them. `first`: the number of the first
    chunk, to add to an earlier call's chunks (other numbers, other draws)."""
    _, coll = library._collections.active()  # writes go through the newest client
    rng = np.random.default_rng(7 + first)
    vocab = np.asarray(vocabulary, dtype=object)
    dim = library.embedder.dim
    for start in range(first, first + count, _INSERT_BATCH):
        size = min(_INSERT_BATCH, first + count - start)
        vectors = rng.standard_normal((size, dim), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        picks = rng.integers(0, len(vocab), (size, words))
        ids, texts, metas = [], [], []
        for i, row in zip(range(start, start + size), picks, strict=True):
            number, index = divmod(i, per_brief)
            text = " ".join(vocab[row]) + " ."
            brief = Brief(id=f"synthetic-{number}", title="", text=text, lang="id", scope=scope,
                          source=f"source-{number % 50}")  # fmt: skip
            chunk = Chunk(brief.id, index, text, 0, len(text))
            ids.append(chunk.id)
            texts.append(text)
            metas.append(chunk_metadata(brief, chunk, per_brief))
        coll.add(ids=ids, embeddings=vectors, documents=texts, metadatas=metas)  # type: ignore[arg-type]
    library._collections.touch(library._serving.loaded)  # type: ignore[arg-type]


def peak_rss_mb(pid: int | str = "self") -> int:
    """A process's peak resident memory (VmHWM), in MB; 0 where /proc cannot say.

    Not `getrusage().ru_maxrss`: Linux keeps that across exec, so a child started by a large parent reports
    the parent's size at the fork (the scale benchmark's "bot" reported its 2.6-3.1 GB parent so); VmHWM
    belongs to the address space, which exec replaces.
    """
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return 0
