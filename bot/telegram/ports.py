"""What the Telegram front end needs from the store and the answer engine, as structural types.

The real `BriefLibrary` and `Answerer` satisfy these; unit tests pass small hand-written fakes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from bot.answering.types import AnswerProgress, Outcome
from store.types import Brief, BriefInfo, Progress, SearchFilters, StoreStats, SyncReport


class BotLibrary(Protocol):
    def list_briefs(self, scope: str | None = None) -> list[BriefInfo]: ...

    def stats(self) -> StoreStats: ...

    def upsert(self, briefs: Sequence[Brief], progress: Progress | None = None) -> SyncReport: ...


class AnswerEngine(Protocol):
    def answer(
        self,
        question: str,
        *,
        context: str | None = None,
        filters: SearchFilters | None = None,
        progress: Callable[[AnswerProgress], None] | None = None,
    ) -> Outcome: ...
