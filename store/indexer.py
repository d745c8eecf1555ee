"""Writes briefs into a Chroma collection: chunk, embed (through the cache), upsert by stable ids.

Chunk ids are `chunk_id(brief_id, i)` and every chunk carries its brief's content hash, so a re-run embeds
only new or changed briefs, a changed brief overwrites its chunks in place and drops the surplus, and nothing
is ever duplicated.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from store.chroma_client import guard, read_pages
from store.chunking import approximate_tokens, chunk_text
from store.embedding.base import Embedder
from store.records import chunk_metadata
from store.types import Brief, Chunk, Progress, SyncReport, chunk_id

logger = logging.getLogger(__name__)

WRITE_BATCH = 256
EMBED_STEP = 32
"""Chunks embedded between two progress reports: a few seconds of work on two cores, so /reindex moves."""


def _no_progress(done: int, total: int, stage: str) -> None:
    pass


@dataclass(frozen=True)
class Stored:
    """What the collection knows about a brief (from its first chunk's metadata)."""

    content_hash: str
    chunk_count: int
    scope: str
    origin: str


def first_chunk_metadatas(coll: Any, where: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
    """Metadata of every brief's first chunk, which carries the brief's own fields (optionally restricted)."""
    first = {"chunk_index": 0}
    clause = {"$and": [first, where]} if where else first
    for page in read_pages(coll, where=clause, include=["metadatas"]):
        yield from page["metadatas"]


def stored_briefs(coll: Any, where: dict[str, Any] | None = None) -> dict[str, Stored]:
    """Brief id -> what is stored, read from the first chunk of every brief (optionally restricted)."""
    return {
        str(meta["brief_id"]): Stored(
            str(meta["content_hash"]), int(meta["chunk_count"]), str(meta["scope"]), str(meta["origin"])
        )
        for meta in first_chunk_metadatas(coll, where)
    }


class Indexer:
    def __init__(self, embedder: Embedder, *, chunk_size: int, chunk_overlap: int) -> None:
        self._embedder = embedder
        self._chunk_size = chunk_size
        self._chunk_overlap = chunk_overlap
        counter = getattr(embedder, "token_count", None)
        self._count: Callable[[str], int] = approximate_tokens
        if callable(counter) and counter("probe") is not None:
            self._count = counter

    def chunks_of(self, brief: Brief) -> list[Chunk]:
        return chunk_text(
            brief.id,
            brief.text,
            chunk_size=self._chunk_size,
            chunk_overlap=min(self._chunk_overlap, self._chunk_size // 2),
            count_tokens=self._count,
        )

    def write(
        self,
        coll: Any,
        briefs: Iterable[Brief],
        stored: dict[str, Stored],
        report: SyncReport,
        progress: Progress,
    ) -> None:
        """Chunk, embed and upsert `briefs`; failures go to `report.failed`, the rest are written."""
        planned: list[tuple[Brief, list[Chunk]]] = []
        for brief in briefs:
            chunks = self.chunks_of(brief)
            if not chunks:
                report.failed.append((brief.id, "the brief has no text to index"))
                continue
            planned.append((brief, chunks))
        texts = [c.text for _, chunks in planned for c in chunks]
        total = len(texts)
        progress(0, total, "embedding")
        misses_before = getattr(self._embedder, "misses", None)
        vectors: list[Any] = []
        for start in range(0, total, EMBED_STEP):
            vectors.extend(self._embedder.embed_passages(texts[start : start + EMBED_STEP]))
            progress(min(start + EMBED_STEP, total), total, "embedding")
        misses_after = getattr(self._embedder, "misses", None)
        if isinstance(misses_before, int) and isinstance(misses_after, int):
            report.chunks_embedded += misses_after - misses_before
        else:
            report.chunks_embedded += total
        # Surplus chunks go first and first chunks (which carry the content hash) are written last: a write
        # cut short leaves the old hash in place, so the next run sees the brief as changed and finishes it.
        for brief, chunks in planned:
            old = stored.get(brief.id)
            surplus = [chunk_id(brief.id, i) for i in range(len(chunks), old.chunk_count)] if old else []
            if surplus:
                with guard("delete surplus chunks"):
                    coll.delete(ids=surplus)
        self._upsert(coll, planned, vectors, progress)
        for brief, _ in planned:
            (report.updated if brief.id in stored else report.added).append(brief.id)

    def _upsert(
        self, coll: Any, planned: list[tuple[Brief, list[Chunk]]], vectors: list[Any], progress: Progress
    ) -> None:
        placed = [(b, c, len(chunks)) for b, chunks in planned for c in chunks]
        rows = [(b, c, n, v) for (b, c, n), v in zip(placed, vectors, strict=True)]
        rows.sort(key=lambda row: row[1].index == 0)  # stable: first chunks last (see `write`)
        for start in range(0, len(rows), WRITE_BATCH):
            part = rows[start : start + WRITE_BATCH]
            with guard("write chunks"):
                coll.upsert(
                    ids=[c.id for _, c, _, _ in part],
                    documents=[c.text for _, c, _, _ in part],
                    embeddings=[v.tolist() for _, _, _, v in part],
                    metadatas=[chunk_metadata(b, c, n) for b, c, n, _ in part],
                )
            progress(min(start + WRITE_BATCH, len(rows)), len(rows), "writing")

    def delete(self, coll: Any, brief_ids: list[str]) -> None:
        for start in range(0, len(brief_ids), WRITE_BATCH):
            with guard("delete briefs"):
                coll.delete(where={"brief_id": {"$in": brief_ids[start : start + WRITE_BATCH]}})

    def copy(
        self,
        src: Any,
        dst: Any,
        where: dict[str, Any] | None,
        progress: Progress = _no_progress,
        reembed: Embedder | None = None,
    ) -> int:
        """Copy chunks from `src` to `dst` with their vectors, or re-embedded by `reembed` (model change)."""
        include = ["documents", "metadatas"] if reembed else ["documents", "metadatas", "embeddings"]
        with guard("count chunks"):
            at_most = int(src.count())  # the filtered share is unknown in advance; progress uses the whole
        copied = 0
        for got in read_pages(src, where=where, include=include):
            vectors = reembed.embed_passages(list(got["documents"])) if reembed else got["embeddings"]
            with guard("copy chunks"):
                dst.upsert(
                    ids=got["ids"], documents=got["documents"], metadatas=got["metadatas"], embeddings=vectors
                )
            copied += len(got["ids"])
            progress(copied, max(copied, at_most), "copying")
        return copied
