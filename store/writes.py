"""The write paths of the library: incremental sync/upsert and the rebuild-then-switch."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any

from chromadb.errors import NotFoundError

from store.collections import Collections
from store.embedding.base import Embedder
from store.errors import EmbeddingMismatch
from store.indexer import Indexer, Progress, Stored, stored_briefs
from store.types import Brief, SyncReport

logger = logging.getLogger(__name__)


def _dedupe(briefs: list[Brief], report: SyncReport) -> list[Brief]:
    seen: set[str] = set()
    out = []
    for brief in briefs:
        if brief.id in seen:
            report.failed.append((brief.origin or brief.id, f"another brief already has the id {brief.id!r}"))
            continue
        seen.add(brief.id)
        out.append(brief)
    return out


def sync_into(
    indexer: Indexer,
    coll: Any,
    briefs: list[Brief],
    scope: str | None,
    *,
    remove_missing: bool,
    progress: Progress,
    stored: dict[str, Stored] | None = None,
) -> SyncReport:
    """Bring `coll` in line with `briefs`; with a scope, that scope's briefs not in `briefs` may go.
    `stored` is what `coll` holds, when the caller has read it already (else it is read here)."""
    started = time.perf_counter()
    report = SyncReport()
    if scope is not None:
        briefs = [b if b.scope == scope else replace(b, scope=scope) for b in briefs]
    briefs = _dedupe(briefs, report)
    stored = stored_briefs(coll) if stored is None else stored
    changed = []
    for brief in briefs:
        old = stored.get(brief.id)
        if old and (old.content_hash, old.scope, old.origin) == (
            brief.content_hash(),
            brief.scope,
            brief.origin,
        ):
            report.unchanged.append(brief.id)
        else:
            changed.append(brief)
    indexer.write(coll, changed, stored, report, progress)
    if remove_missing and scope is not None:
        incoming = {b.id for b in briefs}
        missing = [bid for bid, s in stored.items() if s.scope == scope and bid not in incoming]
        if missing:
            progress(0, len(missing), "removing")
            indexer.delete(coll, missing)
            progress(len(missing), len(missing), "removing")
        report.removed += missing
    report.seconds = time.perf_counter() - started
    logger.info(
        "sync scope=%s added=%s updated=%s unchanged=%s removed=%s failed=%s embedded=%s",
        scope, len(report.added), len(report.updated), len(report.unchanged), len(report.removed),
        len(report.failed), report.chunks_embedded,
    )  # fmt: skip
    return report


def _kept_chunks(scopes: list[str], carry: list[str]) -> dict[str, Any] | None:
    """Chroma filter for the chunks a rebuild copies from the old collection (None: all of them)."""
    if not scopes:
        return None
    other_scopes: dict[str, Any] = {"scope": {"$nin": scopes}}
    if not carry:
        return other_scopes
    return {"$or": [other_scopes, {"brief_id": {"$in": carry}}]}


def rebuild_into(
    collections: Collections,
    indexer: Indexer,
    embedder: Embedder,
    briefs: list[Brief],
    scopes: list[str],
    *,
    progress: Progress,
    carry_over: list[str] | None = None,
) -> SyncReport:
    """Fill a new collection with `briefs` plus the old collection's briefs of other scopes, then switch.

    `carry_over` names briefs of the rebuilt scopes to copy as they are (the ingestion job passes those of
    files that failed to load this time, so a rebuild never loses a brief because its file went bad)."""
    carry = sorted(set(carry_over or []) - {b.id for b in briefs})
    started = time.perf_counter()
    report = SyncReport()
    briefs = _dedupe(briefs, report)
    state = collections.state()
    try:
        old = collections.open(state.name, check=False) if state else None
    except NotFoundError:
        old = None  # the pointer names a collection someone deleted: nothing to carry over
    same_model = True
    if old is not None and state is not None:
        try:
            collections.check_model(state.name, old.metadata or {})
        except EmbeddingMismatch:
            same_model = False  # kept briefs are re-embedded from their chunk texts instead of copied
    name, new = collections.create()
    try:
        previous = {}
        if old is not None:
            keep = _kept_chunks(scopes, carry)
            indexer.copy(old, new, keep, progress, reembed=None if same_model else embedder)
            previous = stored_briefs(old)
            # A brief may move into a rebuilt scope: drop its copied chunks so none are left over.
            indexer.delete(new, [b.id for b in briefs])
        indexer.write(new, briefs, {}, report, progress)
        written = set(report.added)
        report.added = []
        for brief in briefs:
            if brief.id not in written:
                continue
            old_hash = previous[brief.id].content_hash if brief.id in previous else None
            target = (
                report.added
                if old_hash is None
                else (report.unchanged if old_hash == brief.content_hash() else report.updated)
            )
            target.append(brief.id)
        incoming = {b.id for b in briefs}
        kept = incoming | set(carry)
        report.removed = sorted(i for i, s in previous.items() if s.scope in scopes and i not in kept)
        collections.switch(name)
    except BaseException:
        logger.warning("rebuild abandoned collection=%s; the previous index keeps serving", name)
        try:
            collections.drop(name)
        except Exception:  # the original error matters more; a leftover is dropped at the next switch
            logger.warning("could not drop abandoned collection=%s", name)
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
