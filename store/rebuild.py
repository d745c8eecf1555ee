"""The rebuild: fill a fresh collection, catch up with writes that landed meanwhile, then switch.

A rebuild embeds for minutes while the serving collection keeps taking writes (channel posts, another
source's incremental run, `/reindex`). It reads what the serving collection holds when it starts (under the
store's write lock, so no write is half done) and again at the end, holding the write lock until it has
switched: every brief added, changed or removed in between is carried over as the serving collection has it
(those writes came after the rebuild read its sources, so they are the newer truth). Writers therefore wait
only for the short catch-up, never for the whole rebuild, and nothing they wrote is lost.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from chromadb.errors import NotFoundError

from store.collections import ActiveState, Collections
from store.embedding.base import Embedder
from store.errors import EmbeddingMismatch, StoreBusy
from store.indexer import WRITE_BATCH, Indexer, Stored, stored_briefs
from store.types import Brief, Progress, SyncReport
from store.writes import dedupe

logger = logging.getLogger(__name__)

Locked = Callable[[], AbstractContextManager[None]]
"""Holds the store's write lock (and catches up with other processes' writes) for the block."""

SWITCHED_MEANWHILE = (
    "Another rebuild switched the brief index while this one ran; nothing of this one was kept. Run it again."
)


@dataclass(frozen=True)
class Snapshot:
    """The serving collection as a rebuild found it: its name (None: none yet) and its briefs."""

    name: str | None
    briefs: dict[str, Stored]


def _kept_chunks(scopes: list[str], carry: list[str]) -> dict[str, Any] | None:
    """Chroma filter for the chunks a rebuild copies from the old collection (None: all of them)."""
    if not scopes:
        return None
    other_scopes: dict[str, Any] = {"scope": {"$nin": scopes}}
    if not carry:
        return other_scopes
    return {"$or": [other_scopes, {"brief_id": {"$in": carry}}]}


def _open_serving(collections: Collections, state: ActiveState | None) -> Any:
    try:
        return collections.open(state.name, check=False) if state else None
    except NotFoundError:
        return None  # the pointer names a collection someone deleted: nothing to carry over


def _same_model(collections: Collections, name: str | None, coll: Any) -> bool:
    if coll is None or name is None:
        return True
    try:
        collections.check_model(name, coll.metadata or {})
    except EmbeddingMismatch:
        return False  # kept briefs are re-embedded from their chunk texts instead of copied
    return True


def rebuild_into(
    collections: Collections,
    indexer: Indexer,
    embedder: Embedder,
    briefs: list[Brief],
    scopes: list[str],
    *,
    locked: Locked,
    progress: Progress,
    carry_over: list[str] | None = None,
) -> SyncReport:
    """Fill a new collection with `briefs` plus the old collection's briefs of other scopes, then switch.

    `carry_over` names briefs of the rebuilt scopes to copy as they are (the ingestion job passes those of
    files that failed to load this time, so a rebuild never loses a brief because its file went bad)."""
    carry = sorted(set(carry_over or []) - {b.id for b in briefs})
    started = time.perf_counter()
    report = SyncReport()
    briefs = dedupe(briefs, report)
    with locked():
        state = collections.state()
        old = _open_serving(collections, state)
        name_then = state.name if old is not None and state is not None else None
        before = Snapshot(name_then, stored_briefs(old) if old is not None else {})
    reembed = None if _same_model(collections, before.name, old) else embedder
    name, new = collections.create()
    try:
        if old is not None:
            indexer.copy(old, new, _kept_chunks(scopes, carry), progress, reembed=reembed)
            # A brief may move into a rebuilt scope: drop its copied chunks so none are left over.
            indexer.delete(new, [b.id for b in briefs])
        indexer.write(new, briefs, {}, report, progress)
        _classify(report, briefs, before.briefs)
        kept = {b.id for b in briefs} | set(carry)
        report.removed = sorted(i for i, s in before.briefs.items() if s.scope in scopes and i not in kept)
        with locked():
            held_from = time.perf_counter()
            carried = _catch_up(collections, indexer, before, name, reembed=reembed, progress=progress)
            report.removed = [i for i in report.removed if i not in carried]
            collections.switch(name)
            held_ms = (time.perf_counter() - held_from) * 1000
            logger.info("rebuild caught up carried=%s write_lock_ms=%.0f", len(carried), held_ms)
    except BaseException as exc:
        logger.warning("rebuild abandoned collection=%s; the previous index keeps serving", name)
        try:
            collections.drop(name)
        except Exception:  # the original error matters more; a leftover is dropped at the next switch
            logger.warning("could not drop abandoned collection=%s", name)
        if isinstance(exc, NotFoundError):
            # Another rebuild's switch dropped this one's collection (every other one is dropped then).
            raise StoreBusy(SWITCHED_MEANWHILE) from exc
        raise
    report.seconds = time.perf_counter() - started
    logger.info(
        "rebuild collection=%s added=%s updated=%s removed=%s",
        name,
        len(report.added),
        len(report.updated),
        len(report.removed),
    )
    return report


def _classify(report: SyncReport, briefs: list[Brief], previous: dict[str, Stored]) -> None:
    """Sort the written briefs into added / updated / unchanged against what was serving."""
    written = set(report.added)
    report.added = []
    for brief in briefs:
        if brief.id not in written:
            continue
        old_hash = previous[brief.id].content_hash if brief.id in previous else None
        if old_hash is None:
            report.added.append(brief.id)
        else:
            (report.unchanged if old_hash == brief.content_hash() else report.updated).append(brief.id)


def _catch_up(
    collections: Collections,
    indexer: Indexer,
    before: Snapshot,
    name: str,
    *,
    reembed: Embedder | None,
    progress: Progress,
) -> set[str]:
    """Copy into `name` what other writers changed in the serving collection since `before` (write lock
    held). Returns the ids carried over or removed."""
    state = collections.state()
    if state is None:
        return set()
    if before.name is not None and state.name != before.name:
        raise StoreBusy(SWITCHED_MEANWHILE)
    serving = _open_serving(collections, state)
    if serving is None:
        return set()
    new = collections.open(name, check=False)  # again: catching up may have reopened the client
    after = stored_briefs(serving)
    changed = sorted(i for i, s in after.items() if before.briefs.get(i) != s)
    gone = sorted(i for i in before.briefs if i not in after)
    if changed or gone:
        indexer.delete(new, changed + gone)
    for start in range(0, len(changed), WRITE_BATCH):
        part = changed[start : start + WRITE_BATCH]
        indexer.copy(serving, new, {"brief_id": {"$in": part}}, progress, reembed=reembed)
    return set(changed) | set(gone)
