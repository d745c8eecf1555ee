"""What the answer engine needs from the store, as structural types.

`store.library.BriefLibrary` satisfies these; so does any test double. Typing against the contract
(rather than the class) keeps the engine testable and independent of how the store is built.
"""

from __future__ import annotations

from typing import Protocol

from store.embedding.base import Embedder, Vectors
from store.types import BriefInfo, Passage, SearchFilters

__all__ = ["Embedder", "EngineLibrary", "Vectors"]


class EngineLibrary(Protocol):
    @property
    def embedder(self) -> Embedder: ...

    def search(
        self, query: str, k: int | None = None, filters: SearchFilters | None = None
    ) -> list[Passage]: ...

    def list_briefs(self, scope: str | None = None) -> list[BriefInfo]: ...

    def passages_of(self, brief_id: str) -> list[Passage]: ...
