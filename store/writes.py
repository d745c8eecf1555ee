"""The incremental write path of the library: sync and upsert (the rebuild is in `store.rebuild`)."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any

from store.indexer import Indexer, Stored, stored_briefs
from store.types import Brief, Progress, SyncReport

logger = logging.getLogger(__name__)


def dedupe(briefs: list[Brief], report: SyncReport) -> list[Brief]:
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
    briefs = dedupe(briefs, report)
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
