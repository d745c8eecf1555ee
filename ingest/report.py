"""How a run talks to its caller: JSON lines for the bot's /reindex, a table and a progress bar for people."""

from __future__ import annotations

import json
import sys
from typing import IO, Any

from tqdm import tqdm

from store.types import SyncReport

# Lists longer than this are cut in the human summary (the JSON summary always carries them in full).
_SHOWN_IDS = 10


def progress_line(done: int, total: int, stage: str) -> str:
    return json.dumps({"event": "progress", "done": done, "total": total, "stage": stage})


def summary_line(report: SyncReport, *, dry_run: bool = False) -> str:
    payload: dict[str, Any] = {
        "event": "summary",
        "added": report.added,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "removed": report.removed,
        "failed": [[what, why] for what, why in report.failed],
        "skipped": [[what, why] for what, why in report.skipped],
        "unreadable": report.unreadable,
        "chunks_embedded": report.chunks_embedded,
        "seconds": report.seconds,
    }
    if dry_run:
        payload["dry_run"] = True
    return json.dumps(payload, ensure_ascii=False)


def error_line(message: str) -> str:
    return json.dumps({"event": "error", "message": message}, ensure_ascii=False)


def human_summary(report: SyncReport, *, dry_run: bool = False) -> str:
    """A short table of counts, the ids that changed, and every failure with its reason."""
    rows = [
        ("added", report.added),
        ("updated", report.updated),
        ("unchanged", report.unchanged),
        ("removed", report.removed),
    ]
    lines = ["Dry run: what would change (nothing was written)." if dry_run else "Ingestion finished."]
    for label, ids in rows:
        shown = "" if label == "unchanged" else _ids(ids)
        lines.append(f"  {label:<10} {len(ids):>6}  {shown}".rstrip())
    lines.append(f"  {'failed':<10} {len(report.failed):>6}")
    lines += [f"    - {what}: {why}" for what, why in report.failed]
    if report.skipped:
        lines.append(f"  {'skipped':<10} {len(report.skipped):>6}")
        lines += [f"    - {what}: {why}" for what, why in report.skipped]
    if report.unreadable:
        lines.append(f"  Not read at all, their briefs kept as they were: {', '.join(report.unreadable)}")
    lines.append(f"  {report.chunks_embedded} chunks embedded in {report.seconds:.1f} s")
    return "\n".join(lines)


def _ids(ids: list[str]) -> str:
    if not ids:
        return ""
    head = ", ".join(ids[:_SHOWN_IDS])
    more = f" (+{len(ids) - _SHOWN_IDS} more)" if len(ids) > _SHOWN_IDS else ""
    return head + more


class JsonProgress:
    """Progress as JSON lines on stdout, flushed at once so the bot sees them live."""

    def __init__(self, out: IO[str] | None = None) -> None:
        self._out = out or sys.stdout
        self._last: tuple[int, int, str] | None = None

    def __call__(self, done: int, total: int, stage: str) -> None:
        if (done, total, stage) == self._last:
            return
        self._last = (done, total, stage)
        print(progress_line(done, total, stage), file=self._out, flush=True)


class BarProgress:
    """A tqdm bar on stderr, one per stage ("loading", "embedding", "writing"...)."""

    def __init__(self) -> None:
        self._bar: tqdm[Any] | None = None
        self._stage = ""

    def __call__(self, done: int, total: int, stage: str) -> None:
        if self._bar is None or stage != self._stage:
            self.close()
            self._stage = stage
            self._bar = tqdm(total=total, desc=stage, unit="", file=sys.stderr, leave=False)
        if self._bar.total != total:
            self._bar.total = total
        self._bar.n = done
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def silent_progress(done: int, total: int, stage: str) -> None:
    """Used when neither JSON nor a terminal is listening."""
