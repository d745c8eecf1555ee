"""The project's own types for briefs, chunks and search results.

Library types (llama-index nodes, Chroma rows) are converted to these once, at the store's boundary.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

Progress = Callable[[int, int, str], None]
"""How a long store write (sync, upsert, rebuild) or an ingestion run reports itself: (done, total, stage)."""


@dataclass(frozen=True)
class Brief:
    """One curated article or note, cleaned and ready to index."""

    id: str
    title: str
    text: str
    source: str = ""
    """Publisher, e.g. "ZONA GADGET" or "Reuters"."""
    url: str | None = None
    published: date | None = None
    lang: str = "und"
    """ISO 639-1 code ("id", "en"), "und" when unknown."""
    tags: tuple[str, ...] = ()
    place: str | None = None
    """Dateline place, e.g. "JAKARTA"."""
    scope: str = ""
    """Which sync owns this brief (a folder, a feed, a channel). A sync removes only briefs of its scope."""
    origin: str = ""
    """Where exactly it came from (file path, URL, t.me link), for operators."""

    def content_hash(self) -> str:
        """Hash of everything that changes what is indexed; equal hashes mean nothing to re-embed."""
        parts = [
            self.title,
            self.text,
            self.source,
            self.url or "",
            self.published.isoformat() if self.published else "",
            self.lang,
            ",".join(self.tags),
            self.place or "",
        ]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Chunk:
    """A sentence-aligned span of a brief: `brief.text[start:end] == text`."""

    brief_id: str
    index: int
    text: str
    start: int
    end: int

    @property
    def id(self) -> str:
        return chunk_id(self.brief_id, self.index)


def chunk_id(brief_id: str, index: int) -> str:
    return f"{brief_id}#{index}"


@dataclass(frozen=True)
class BriefInfo:
    """What the store knows about a brief without its full text."""

    id: str
    title: str
    source: str
    url: str | None
    published: date | None
    lang: str
    scope: str
    origin: str
    content_hash: str
    chunk_count: int
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its brief's metadata and how it scored."""

    chunk_id: str
    brief: BriefInfo
    text: str
    start: int
    end: int
    chunk_index: int
    score: float
    """Fused score used for ranking (higher is better)."""
    dense_score: float | None = None
    """Cosine similarity of the question and the chunk, when the dense leg saw it."""
    keyword_score: float | None = None
    """BM25 score, when the keyword leg saw it."""


@dataclass(frozen=True)
class SearchFilters:
    """Restrictions on what a search may return. Dates are inclusive."""

    since: date | None = None
    until: date | None = None
    sources: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    brief_ids: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.since or self.until or self.sources or self.langs or self.brief_ids)


# The ingestion job's exit code when it ran but a whole source could not be read: a scheduler or CI sees it,
# and the bot's /reindex (which reads the job's summary) still reports what the run did.
EXIT_SOURCES_UNREADABLE = 3


@dataclass
class SyncReport:
    """What an indexing run did, brief by brief."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    """(what, why) pairs: a file path or brief id and a reason a curator can act on."""
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(what, why) pairs left out on purpose (a symbolic link out of a source folder): not failures."""
    unreadable: list[str] = field(default_factory=list)
    """Sources that could not be read at all (a missing folder, a feed that did not answer); their stored
    briefs were kept, and their reasons are among `failed`."""
    chunks_embedded: int = 0
    seconds: float = 0.0

    def merge(self, other: SyncReport) -> None:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.removed += other.removed
        self.failed += other.failed
        self.skipped += other.skipped
        self.unreadable += other.unreadable
        self.chunks_embedded += other.chunks_embedded
        self.seconds += other.seconds


@dataclass(frozen=True)
class StoreStats:
    briefs: int
    chunks: int
    collection: str
    embedding_model: str
    last_indexed: str | None
    """ISO timestamp of the last completed sync, if any."""
    by_lang: dict[str, int] = field(default_factory=dict)
    by_source: dict[str, int] = field(default_factory=dict)
