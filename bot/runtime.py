"""The bot process's runtime composition root, shared by the console and the Telegram front end.

    open_runtime(settings, start) -> Runtime(library, answerer)

opens the library, indexes the configured sources when it holds no brief yet (first start only: the child
`python -m ingest` job, `bot/ingest_runner.py`), builds the answer engine from its own settings and, when
asked, warms it up in the background. A front end says how first-start indexing is shown (`StartReport`):
the console prints it, the Telegram bot logs it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bot.answering.engine import Answerer, build_answerer
from bot.background import start_warm_up
from bot.ingest_runner import IngestError, IngestRunner
from bot.settings import BotSettings
from store.types import SyncReport

if TYPE_CHECKING:
    from store.library import BriefLibrary

logger = logging.getLogger(__name__)


class StartReport(Protocol):
    """How a front end shows first-start indexing."""

    def indexing(self) -> None:
        """The library is empty: indexing begins."""

    async def progress(self, done: int, total: int, stage: str) -> None: ...

    def failed(self, error: IngestError) -> None:
        """The job could not run; the front end serves the empty library."""

    def indexed(self, summary: SyncReport) -> None: ...


class LoggedStart:
    """First-start indexing in the log (a server process: the Telegram bot)."""

    def indexing(self) -> None:
        logger.info("first-start indexing: the library is empty")

    async def progress(self, done: int, total: int, stage: str) -> None:
        logger.info("first-start indexing stage=%s done=%d total=%d", stage, done, total)

    def failed(self, error: IngestError) -> None:
        logger.error("first-start indexing failed, serving an empty library: %s", error)

    def indexed(self, summary: SyncReport) -> None:
        logger.info("first-start indexing done added=%d failed=%d", len(summary.added), len(summary.failed))


@dataclass(frozen=True)
class Runtime:
    library: BriefLibrary
    answerer: Answerer


def open_runtime(settings: BotSettings, start: StartReport, *, warm_up: bool = True) -> Runtime:
    """The library (indexed on first start) and the answer engine over it.

    `warm_up`: embed sentence vectors of every brief in a background thread, so the first questions are
    answered as fast as later ones."""
    from store.library import open_library

    library = open_library(settings.store)
    index_first_start(library, start)
    answerer = build_answerer(settings.answer, settings.llm, library)
    if warm_up:
        start_warm_up(answerer)
    return Runtime(library, answerer)


def index_first_start(library: BriefLibrary, start: StartReport) -> None:
    """Index the configured sources when the library holds no brief yet; a failed job leaves it empty."""
    if library.stats().briefs:
        return
    start.indexing()
    try:
        summary = asyncio.run(IngestRunner().run(progress=start.progress))
    except IngestError as exc:
        start.failed(exc)
        return
    start.indexed(summary)
