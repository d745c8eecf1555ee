"""The runtime root's first start: index an empty library once, show it through the front end's report."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bot import runtime
from bot.ingest_runner import IngestError, IngestRunner
from store.types import StoreStats, SyncReport


@dataclass
class Library:
    briefs: int

    def stats(self) -> StoreStats:
        return StoreStats(
            briefs=self.briefs, chunks=0, collection="c", embedding_model="m", last_indexed=None
        )


@dataclass
class Report:
    seen: list[str] = field(default_factory=list)

    def indexing(self) -> None:
        self.seen.append("indexing")

    async def progress(self, done: int, total: int, stage: str) -> None:
        self.seen.append(f"{stage} {done}/{total}")

    def failed(self, error: IngestError) -> None:
        self.seen.append(f"failed: {error}")

    def indexed(self, summary: SyncReport) -> None:
        self.seen.append(f"indexed {len(summary.added)}")


def test_a_library_with_briefs_is_not_indexed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(IngestRunner, "run", pytest.fail)
    report = Report()
    runtime.index_first_start(Library(briefs=3), report)  # type: ignore[arg-type]
    assert report.seen == []


def test_an_empty_library_is_indexed_once_and_a_failed_job_leaves_it_empty(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def run(self: IngestRunner, *, rebuild: bool = False, progress: object = None) -> SyncReport:
        assert progress is not None
        await progress(1, 2, "embedding")  # type: ignore[operator]
        return SyncReport(added=["a", "b"])

    monkeypatch.setattr(IngestRunner, "run", run)
    report = Report()
    runtime.index_first_start(Library(briefs=0), report)  # type: ignore[arg-type]
    assert report.seen == ["indexing", "embedding 1/2", "indexed 2"]

    async def broken(self: IngestRunner, *, rebuild: bool = False, progress: object = None) -> SyncReport:
        raise IngestError("Another ingest run is in progress")

    monkeypatch.setattr(IngestRunner, "run", broken)
    report = Report()
    runtime.index_first_start(Library(briefs=0), report)  # type: ignore[arg-type]
    assert report.seen == ["indexing", "failed: Another ingest run is in progress"]
