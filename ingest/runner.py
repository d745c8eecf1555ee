"""One ingestion run: load every source, then sync, rebuild or (dry run) compare against the store."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from typing import Protocol

from ingest.loaders.web import Fetcher
from ingest.settings import IngestOptions
from ingest.sources import SourceBatch, load_source
from store.types import Brief, BriefInfo, Progress, SyncReport

logger = logging.getLogger(__name__)


class IngestLibrary(Protocol):
    """The part of `store.library.BriefLibrary` the ingestion job uses."""

    def sync(
        self,
        briefs: list[Brief],
        scope: str,
        *,
        remove_missing: bool = True,
        progress: Progress | None = None,
    ) -> SyncReport: ...

    def rebuild(
        self,
        briefs: list[Brief],
        scopes: list[str],
        progress: Progress | None = None,
        carry_over: Iterable[str] = (),
    ) -> SyncReport: ...

    def remove(self, brief_ids: list[str]) -> list[str]: ...

    def list_briefs(self, scope: str | None = None) -> list[BriefInfo]: ...

    def scopes_of(self, brief_ids: list[str]) -> dict[str, str]: ...


class StopFlag(Protocol):
    """Asks a run to end early (a scheduled job told to stop); `threading.Event` is one."""

    def is_set(self) -> bool: ...


def load_all(
    sources: Sequence[str], options: IngestOptions, progress: Progress, stop: StopFlag | None = None
) -> list[SourceBatch]:
    """Load and clean every source; stops early (returning what it has) when `stop` is set."""
    batches: list[SourceBatch] = []
    with Fetcher(
        timeout=options.fetch_timeout, user_agent=options.user_agent, max_bytes=options.max_file_bytes
    ) as fetcher:
        for done, source in enumerate(sources):
            if stop is not None and stop.is_set():
                break
            progress(done, len(sources), "loading")
            batches.append(load_source(source, options, fetcher))
        progress(len(batches), len(sources), "loading")
    return batches


def write(
    library: IngestLibrary, batches: list[SourceBatch], *, rebuild: bool, progress: Progress
) -> SyncReport:
    """Bring the store in line with the loaded batches. Nothing a failed file or source owned is removed."""
    report = SyncReport()
    if rebuild:  # it reads every stored brief anyway
        stored = library.list_briefs()
        owners = {b.id: b.scope for b in stored}
    else:  # the owners of the ids this run yields: a pass over one source reads its own briefs, not all
        owners = library.scopes_of([brief.id for batch in batches for brief in batch.briefs])
    claim_ids(batches, owners)
    _tally(report, batches)
    if rebuild:
        # Sources that could not be read are left out of `scopes`, so the store carries their briefs over.
        scopes = [b.scope for b in batches if b.complete]
        briefs = [brief for b in batches if b.complete for brief in b.briefs]
        # A file that failed inside a readable source still owns its stored briefs: they are copied as is.
        carry = [i for b in batches if b.complete and b.failed for i in _not_yielded(stored, b)[1]]
        report.merge(library.rebuild(briefs, scopes, progress=progress, carry_over=carry))
        return report
    for batch in batches:
        if not batch.complete:
            continue
        if batch.remove_missing and not batch.failed:
            report.merge(library.sync(batch.briefs, batch.scope, remove_missing=True, progress=progress))
            continue
        report.merge(library.sync(batch.briefs, batch.scope, remove_missing=False, progress=progress))
        if batch.remove_missing:
            gone, _ = _not_yielded(library.list_briefs(batch.scope), batch)
            report.removed += library.remove(gone) if gone else []
    return report


def _tally(report: SyncReport, batches: list[SourceBatch]) -> None:
    """What loading found, whatever is written: failed and skipped files, sources not read at all."""
    for batch in batches:
        report.failed += batch.failed
        report.skipped += batch.skipped
        report.unreadable += [] if batch.complete else [batch.source]


def compare(library: IngestLibrary | None, batches: list[SourceBatch]) -> SyncReport:
    """What `write` would do, without writing (for --dry-run). `library` is None when no store exists yet."""
    report = SyncReport()
    # One listing for the whole run, compared the way the store's sync compares (hash, scope and origin), so
    # a brief moving to another source of this run shows as updated, not as added here and removed there.
    stored = {b.id: b for b in library.list_briefs()} if library else {}
    claim_ids(batches, {i: b.scope for i, b in stored.items()})
    yielded = {brief.id for b in batches if b.complete for brief in b.briefs}
    _tally(report, batches)
    for batch in batches:
        if not batch.complete:
            continue
        for brief in batch.briefs:
            old = stored.get(brief.id)
            if old is None:
                report.added.append(brief.id)
            elif (old.content_hash, old.scope, old.origin) == (
                brief.content_hash(),
                brief.scope,
                brief.origin,
            ):
                report.unchanged.append(brief.id)
            else:
                report.updated.append(brief.id)
        if batch.remove_missing:
            own = [b for b in stored.values() if b.scope == batch.scope and b.id not in yielded]
            report.removed += _not_yielded(own, batch)[0]
    return report


def run(
    library: IngestLibrary | None,
    sources: Sequence[str],
    options: IngestOptions,
    *,
    rebuild: bool = False,
    dry_run: bool = False,
    progress: Progress,
    stop: StopFlag | None = None,
) -> SyncReport:
    """Load, then write (or compare); `seconds` is the wall time of the whole run."""
    started = time.perf_counter()
    batches = load_all(sources, options, progress, stop)
    if dry_run or library is None:
        report = compare(library, batches)
    else:
        report = write(library, batches, rebuild=rebuild, progress=progress)
    report.seconds = round(time.perf_counter() - started, 3)
    logger.info(
        "run done added=%s updated=%s unchanged=%s removed=%s failed=%s chunks_embedded=%s seconds=%s"
        " dry_run=%s",
        len(report.added),
        len(report.updated),
        len(report.unchanged),
        len(report.removed),
        len(report.failed),
        report.chunks_embedded,
        report.seconds,
        dry_run,
    )
    return report


def claim_ids(batches: list[SourceBatch], owners: dict[str, str]) -> None:
    """Give each id to one source; a clash is reported instead of letting two sources take turns owning it.

    `owners` maps stored brief ids to their scope. An id owned by a scope outside this run stays there; an
    id two sources of this run both yield goes to the first of them.
    """
    running = {b.scope for b in batches}
    claimed: dict[str, str] = {}
    for batch in batches:
        kept = []
        for brief in batch.briefs:
            owner = claimed.get(brief.id) or owners.get(brief.id, batch.scope)
            if owner != batch.scope and (owner not in running or brief.id in claimed):
                batch.failed.append(
                    (brief.origin, f"id '{brief.id}' is already used by a brief from {owner}")
                )
                continue
            claimed[brief.id] = batch.scope
            kept.append(brief)
        batch.briefs = kept


def _not_yielded(stored: list[BriefInfo], batch: SourceBatch) -> tuple[list[str], list[str]]:
    """Stored briefs of the batch's scope it did not yield this run, split in two: those it no longer has
    (to remove) and those of files that failed to load (kept: their file still owns them)."""
    present = {b.id for b in batch.briefs}
    failed = [what for what, _ in batch.failed]
    gone: list[str] = []
    kept: list[str] = []
    for info in stored:
        if info.scope != batch.scope or info.id in present:
            continue
        owned = any(_same_file(what, info.origin) for what in failed)
        (kept if owned else gone).append(info.id)
    return gone, kept


def _same_file(failed: str, origin: str) -> bool:
    # A failed record is reported as "<file>:<line>" or "<file>[<n>]"; its file still owns its old briefs.
    return failed == origin or (
        failed.startswith(origin) and failed[len(origin) : len(origin) + 1] in {":", "["}
    )
