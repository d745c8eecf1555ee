"""A few real-looking briefs (Indonesian and English) for the store's tests, and the library factory type."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from store.library import BriefLibrary
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


LibraryFactory = Callable[..., BriefLibrary]
"""What the `make_library` fixture returns: `make(inner=None, **store_settings)` -> an open library."""
