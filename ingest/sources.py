"""Load one source argument (folder, file, feed or article URL) into the briefs of its scope."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ingest.briefs import to_briefs
from ingest.ids import is_url, normalise_source
from ingest.loaders.base import LoadError, LoadResult
from ingest.loaders.feeds import load_url
from ingest.loaders.files import load_path
from ingest.loaders.web import Fetcher
from ingest.settings import IngestOptions
from store.types import Brief

logger = logging.getLogger(__name__)


@dataclass
class SourceBatch:
    """Everything one source yielded, and what a sync may do with the briefs it no longer yields."""

    source: str
    scope: str
    briefs: list[Brief] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    complete: bool = True
    """False when the source could not be read at all: its briefs must not be treated as deleted."""
    remove_missing: bool = True
    """Feeds are a sliding window of recent entries: an entry that scrolled off was not deleted."""


def load_source(source: str, options: IngestOptions, fetcher: Fetcher) -> SourceBatch:
    """Load and clean one source; never raises for bad input, which is reported in `failed` instead."""
    scope = normalise_source(source)
    batch = SourceBatch(source=source, scope=scope, remove_missing=not is_url(source))
    try:
        if is_url(source):
            loaded = load_url(source.strip(), fetcher)
        else:
            # Origins hang off the normalised scope, so "./briefs/" and "briefs" give the same origins
            # (the store treats a changed origin as a changed brief).
            loaded = load_path(
                source, max_file_bytes=options.max_file_bytes, label=scope, follow_links=options.follow_links
            )
    except LoadError as exc:
        logger.info("skipped source=%s reason=%s", source, exc)
        loaded = LoadResult(failed=[(source, str(exc))])
        batch.complete = False
    batch.briefs, batch.failed = to_briefs(loaded, scope)
    batch.skipped = loaded.skipped
    logger.info(
        "loaded source=%s briefs=%s failed=%s complete=%s",
        scope,
        len(batch.briefs),
        len(batch.failed),
        batch.complete,
    )
    return batch
