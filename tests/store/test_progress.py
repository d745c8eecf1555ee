"""Embedding progress moves while a run embeds: /reindex of ~120 chunks no longer shows 0% throughout."""

from __future__ import annotations

from dataclasses import replace

import pytest

from store.embedding.base import Embedder
from store.library import BriefLibrary
from tests.support.briefs import BRIEFS
from tests.support.fake_embedder import HashedWords


@pytest.fixture
def library_embedder() -> Embedder:
    """Progress reporting does not depend on the vectors."""
    return HashedWords()


def test_embedding_progress_is_reported_in_small_steps(library: BriefLibrary) -> None:
    # Enough text for well over a hundred chunks.
    many = [replace(BRIEFS[n % len(BRIEFS)], id=f"b{n}", scope="folder", origin=f"f/{n}") for n in range(120)]
    seen: list[tuple[int, int]] = []
    library.sync(
        many,
        "folder",
        progress=lambda done, total, stage: seen.append((done, total)) if stage == "embedding" else None,
    )
    total = seen[-1][1]
    assert total >= 100 and seen[-1][0] == total
    between = [done for done, _ in seen if 0 < done < total]
    assert len(between) >= 3  # the old 256-chunk steps gave none: 0, then done
