"""Run the ingestion job as a child process and follow its JSON-lines progress.

The bot never imports `ingest` (see docs/architecture.md): it starts `python -m ingest --json [--rebuild]`,
reads one JSON object per stdout line (`progress` events, then one `summary`) and reports them to the caller.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from store.types import EXIT_SOURCES_UNREADABLE, SyncReport

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, str], Awaitable[None]]

DEFAULT_COMMAND: tuple[str, ...] = (sys.executable, "-m", "ingest")
# The summary is one JSON line listing every brief id (unchanged ones too): far past asyncio's 64 KiB default
# line limit for a library of a few thousand briefs.
_LINE_LIMIT = 64 * 1024 * 1024


class IngestError(Exception):
    """The ingestion job could not run; the message says why, in words an admin can act on."""


def summary_from_event(event: Mapping[str, Any]) -> SyncReport:
    """The job's closing JSON line as the store's own report type."""
    return SyncReport(
        added=list(event.get("added", [])),
        updated=list(event.get("updated", [])),
        unchanged=list(event.get("unchanged", [])),
        removed=list(event.get("removed", [])),
        failed=[(str(what), str(why)) for what, why in event.get("failed", [])],
        unreadable=[str(source) for source in event.get("unreadable", [])],
        chunks_embedded=int(event.get("chunks_embedded", 0)),
        seconds=float(event.get("seconds", 0.0)),
    )


class IngestRunner:
    """Starts ingestion jobs; one at a time, since two runs would race on the same collection."""

    def __init__(
        self,
        command: Sequence[str] = DEFAULT_COMMAND,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
    ) -> None:
        self._command = list(command)
        self._env = dict(env) if env is not None else None
        self._cwd = cwd
        self._lock = asyncio.Lock()

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    async def run(self, *, rebuild: bool = False, progress: ProgressCallback | None = None) -> SyncReport:
        """Run one job to the end and return its summary; raise IngestError when it could not run."""
        async with self._lock:
            args = [*self._command, "--json", *(["--rebuild"] if rebuild else [])]
            env = {**os.environ, **(self._env or {})}
            logger.info("ingest starting rebuild=%s", rebuild)
            process = await asyncio.create_subprocess_exec(
                *args,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                stdin=asyncio.subprocess.DEVNULL,
                env=env,
                cwd=self._cwd,
                limit=_LINE_LIMIT,
            )
            stderr_task = asyncio.create_task(_read_all(process.stderr))
            try:
                summary = await self._follow(process.stdout, progress)
                code = await process.wait()
                stderr = await stderr_task
            except BaseException:
                # Cancelled (shutdown) or failed while following: never leave an orphan job writing the store.
                if process.returncode is None:
                    process.kill()
                stderr_task.cancel()
                raise
            # Exit code 3: the run completed without some whole source (their reasons are in the summary).
            if code not in (0, EXIT_SOURCES_UNREADABLE) or summary is None:
                reason = _last_line(stderr) or f"exit code {code}"
                logger.warning("ingest failed code=%s reason=%s", code, reason)
                raise IngestError(reason)
            logger.info(
                "ingest done added=%d updated=%d removed=%d failed=%d",
                len(summary.added),
                len(summary.updated),
                len(summary.removed),
                len(summary.failed),
            )
            return summary

    async def _follow(
        self, stdout: asyncio.StreamReader | None, progress: ProgressCallback | None
    ) -> SyncReport | None:
        summary = None
        assert stdout is not None
        async for raw in stdout:
            line = raw.decode("utf-8", "replace").strip()
            if not line.startswith("{"):
                continue  # stray prints are not part of the protocol
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                logger.debug("ingest: unparsable line %r", line[:200])
                continue
            if event.get("event") == "progress" and progress is not None:
                await progress(
                    int(event.get("done", 0)), int(event.get("total", 0)), str(event.get("stage", ""))
                )
            elif event.get("event") == "summary":
                summary = summary_from_event(event)
        return summary


async def _read_all(stream: asyncio.StreamReader | None) -> str:
    if stream is None:
        return ""
    return (await stream.read()).decode("utf-8", "replace")


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""
