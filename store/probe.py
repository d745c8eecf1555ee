"""A cheap look at the serving collection, for health checks: no embedding model, no keyword index.

`open_library` loads the embedder and `BriefLibrary` builds an in-memory BM25 index over every chunk on first
use: seconds and hundreds of MB on a large index, too much for a probe that runs every minute. `probe_library`
reads only the active pointer, the collection's recorded model and its counts, and creates nothing (no
folder, no collection, no pointer): a probe must not change what it looks at.
"""

from __future__ import annotations

import importlib.util
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from chromadb.errors import NotFoundError

from store.chroma_client import guard, open_client
from store.collections import check_recorded_model, peek_state
from store.embedding.factory import declared_model
from store.errors import EmbeddingFailed, IndexMissing
from store.indexer import first_chunk_metadatas
from store.settings import StoreSettings

logger = logging.getLogger(__name__)

NOT_INDEXED = "No brief index yet: run `python -m ingest` (or start the bot, which indexes on first start)."
NEVER_COMPLETED = (
    "Nothing has been indexed yet: the first indexing run is still going, failed or found no briefs (see its "
    "log). Run `python -m ingest`."
)
# The embedded store's database file: without it there is no index, and opening the client would create one.
CHROMA_DB_FILE = "chroma.sqlite3"


@dataclass(frozen=True)
class LibraryProbe:
    """What `probe_library` found; field names match `StoreStats` where they mean the same."""

    mode: Literal["embedded", "server"]
    collection: str
    version: int
    last_indexed: str | None
    chunks: int
    briefs: int
    embedding_model: str
    """As recorded by the collection (equal to the configured model: a mismatch raises)."""
    embedding_dim: int | None
    model_package: str | None
    """The configured model's package, found installed (not imported); None for remote backends."""
    model_checked: bool
    """False for a backend registered at run time, whose identity is unknown without building it."""
    by_lang: dict[str, int] = field(default_factory=dict)
    by_source: dict[str, int] = field(default_factory=dict)


def probe_library(settings: StoreSettings) -> LibraryProbe:
    """Check the serving collection against the configured model and count it.

    Raises `StoreUnavailable` (server down), `IndexMissing` (nothing indexed, no indexing run ever completed,
    or the store or its active collection is gone), `EmbeddingMismatch` (built with another model) or
    `EmbeddingFailed` (model package missing).
    """
    declared = declared_model(settings.embedding)
    mode: Literal["embedded", "server"] = "server" if settings.chroma_host else "embedded"
    if mode == "embedded" and not (settings.resolved_chroma_path() / CHROMA_DB_FILE).is_file():
        raise IndexMissing(NOT_INDEXED)  # opening the client would create the folder and the database
    client = open_client(settings)
    state = peek_state(client, settings.collection)
    if state is None:
        raise IndexMissing(NOT_INDEXED)
    try:
        with guard("open collection"):
            coll: Any = client.get_collection(state.name, embedding_function=None)
    except NotFoundError as exc:
        raise IndexMissing(
            f"The active brief collection {state.name!r} is missing; re-index with "
            "`python -m ingest --rebuild`."
        ) from exc
    if state.last_indexed is None:
        # The pointer and an empty collection are written when a run starts; the time only when one completes.
        raise IndexMissing(NEVER_COMPLETED)
    recorded = dict(coll.metadata or {})
    if declared is not None:
        check_recorded_model(state.name, recorded, declared.name, declared.dim)
        if declared.package and importlib.util.find_spec(declared.package) is None:
            raise EmbeddingFailed(
                f"The embedding model package {declared.package!r} is not installed; reinstall briefbot."
            )
    with guard("count"):
        chunks = int(coll.count())
    firsts = list(first_chunk_metadatas(coll))
    dim = recorded.get("embedding_dim")
    logger.debug("probe collection=%s chunks=%s briefs=%s", state.name, chunks, len(firsts))
    return LibraryProbe(
        mode=mode,
        collection=state.name,
        version=state.version,
        last_indexed=state.last_indexed,
        chunks=chunks,
        briefs=len(firsts),
        embedding_model=str(recorded.get("embedding_model", "")),
        embedding_dim=int(dim) if dim is not None else None,
        model_package=declared.package if declared else None,
        model_checked=declared is not None,
        by_lang=dict(Counter(str(m.get("lang", "und")) for m in firsts)),
        by_source=dict(Counter(str(m.get("source", "")) for m in firsts)),
    )
