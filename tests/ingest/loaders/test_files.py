"""Each file format loads with its metadata; bad files are reported with a reason and the rest still load."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from ingest.briefs import to_briefs
from ingest.loaders.files import load_path
from store.types import Brief

LIMIT = 100_000


def load_briefs(source: Path, limit: int = LIMIT) -> tuple[dict[str, Brief], dict[str, str]]:
    briefs, failed = to_briefs(load_path(str(source), max_file_bytes=limit), scope="test")
    return {b.id: b for b in briefs}, {Path(what).name: why for what, why in failed}


def test_every_format_in_a_folder_loads(sample_folder: Path) -> None:
    briefs, failed = load_briefs(sample_folder)

    assert failed == {}
    assert sorted(briefs) == [
        "article.html",
        "beir-1",
        "beir-2",
        "ecom-1",
        "ecom-2",
        "fintech-qris-2025",
        "nested/telco.md",
        "scraped.txt",
    ]
    assert all(b.scope == "test" for b in briefs.values())


def test_scraped_text_file(sample_folder: Path) -> None:
    brief = load_briefs(sample_folder)[0]["scraped.txt"]
    assert (brief.source, brief.place, brief.published, brief.lang) == (
        "KABAR TAMBANG",
        "MOROWALI",
        date(2025, 3, 3),
        "id",
    )
    assert brief.text.startswith("PT Vale Indonesia, produsen nikel")
    assert "Direktur utama Febriany Eddy mengatakan" in brief.text
    assert "kurang lebih Rp12 triliun" in brief.text
    assert brief.title.startswith("PT Vale Indonesia meresmikan tungku")


def test_markdown_front_matter(sample_folder: Path) -> None:
    briefs = load_briefs(sample_folder)[0]
    qris = briefs["fintech-qris-2025"]
    assert qris.title == "QRIS crosses 50 million merchants"
    assert (qris.source, qris.published, qris.lang) == ("Payments Weekly", date(2025, 5, 2), "en")
    assert qris.url == "https://payments.example/qris-50m"
    assert qris.tags == ("payments", "bank indonesia")
    assert qris.text.startswith("Bank Indonesia said")
    # Without front matter: language detected, title derived, id from the path relative to the folder.
    telco = briefs["nested/telco.md"]
    assert telco.lang == "id"
    assert telco.title.startswith("Operator seluler terbesar di Indonesia")
    assert telco.origin.endswith("nested/telco.md")


def test_html_main_text_and_metadata(sample_folder: Path) -> None:
    page = load_briefs(sample_folder)[0]["article.html"]
    assert page.title == "Nickel smelter output climbs in Sulawesi"
    assert (page.source, page.published, page.lang) == ("Metals Desk", date(2025, 4, 14), "en")
    assert page.text.startswith("Output from the nickel pig iron smelters")
    assert "Contact us" not in page.text and "newsletter" not in page.text


def test_json_and_jsonl_records_keep_their_own_ids(sample_folder: Path) -> None:
    briefs = load_briefs(sample_folder)[0]
    assert briefs["ecom-1"].source == "Retail Notes"
    assert briefs["ecom-1"].title == "Marketplace fees rise"
    assert briefs["ecom-2"].published == date(2025, 7, 12)
    assert briefs["ecom-2"].lang == "id"
    assert briefs["beir-2"].text.startswith("Produksi batu bara nasional")


def test_moving_the_folder_keeps_ids(sample_folder: Path, tmp_path: Path) -> None:
    moved = tmp_path / "elsewhere" / "briefs"
    shutil.copytree(sample_folder, moved)
    assert sorted(load_briefs(moved)[0]) == sorted(load_briefs(sample_folder)[0])


def test_a_single_file_source(sample_folder: Path) -> None:
    briefs, failed = load_briefs(sample_folder / "nested" / "telco.md")
    assert list(briefs) == ["telco.md"] and failed == {}


BAD_FILES: dict[str, tuple[bytes, str]] = {
    "photo.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
    "empty.txt": (b"  \n\n", "empty"),
    "huge.txt": (("Harga nikel naik. " * 400).encode(), "too large"),
    "garbled.txt": ("Harga â€œnikelâ€� naik tajam pada hari Kamis.".encode(), "garbled"),
    "broken.md": (
        b"---\ntitle: [unclosed\n---\nIsi berita yang cukup panjang di sini.\n",
        "malformed front matter",
    ),
    "broken.json": (b'{"text": "Isi", ', "not valid JSON"),
    "notext.json": (b'{"title": "Tanpa isi"}', "no text"),
    "slides.pptx": (b"PK\x03\x04", "unsupported file type"),
}


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.txt").write_text(
        "Bank Mandiri mencatat laba bersih naik sepuluh persen pada kuartal pertama."
    )
    for name, (content, _) in BAD_FILES.items():
        (folder / name).write_bytes(content)
    # A cp1252 file is not broken: it is decoded with the right code page.
    (folder / "cp1252.txt").write_bytes(
        "Kopi “Arabika” dari café di Bandung naik 5% tahun ini.".encode("cp1252")
    )
    (folder / "records.jsonl").write_text(
        '{"id": "r1", "text": "Ekspor kopi Sumatra naik pada bulan Mei menurut data bea cukai."}\n'
        "{not json}\n"
        '{"id": "r3", "text": "Harga cabai di pasar induk turun setelah panen raya di Jawa Tengah."}\n'
    )
    (folder / ".hidden.txt").write_text("Editor backup: must not be indexed at all, not even reported.")
    return folder


def test_bad_files_are_reported_and_good_ones_still_load(mixed_folder: Path) -> None:
    briefs, failed = load_briefs(mixed_folder, limit=2_000)

    assert sorted(briefs) == ["cp1252.txt", "good.txt", "r1", "r3"]
    assert '"Arabika" dari café' in briefs["cp1252.txt"].text
    for name, (_, reason) in BAD_FILES.items():
        assert reason in failed[name], (name, failed[name])
    assert "line 2" in failed["records.jsonl:2"]
    assert ".hidden.txt" not in failed


def test_json_python_refuses_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_text("[" * 5_000 + "]" * 5_000)
    (tmp_path / "rows.jsonl").write_text(
        '{"id": "ok", "text": "Penjualan mobil listrik naik tajam pada bulan Juni tahun ini."}\n'
        + '{"id": "big", "text": "Angka yang sangat panjang.", "n": '
        + "9" * 5_000
        + "}\n"
    )
    briefs, failed = load_briefs(tmp_path)
    assert list(briefs) == ["ok"]
    assert "nests too deeply" in failed["deep.json"]
    assert "line 2" in failed["rows.jsonl:2"] and "number too long" in failed["rows.jsonl:2"]


def test_repairable_mojibake_is_repaired(tmp_path: Path) -> None:
    wrong = "Rapat ‘dewan’ menyetujui dividen Rp1.000 per saham — kata direksi.".encode().decode("cp1252")
    (tmp_path / "m.txt").write_text(wrong, encoding="utf-8")
    briefs, failed = load_briefs(tmp_path)
    assert failed == {}
    assert briefs["m.txt"].text == "Rapat 'dewan' menyetujui dividen Rp1.000 per saham — kata direksi."


def test_missing_source_is_an_error(tmp_path: Path) -> None:
    from ingest.loaders.base import LoadError

    with pytest.raises(LoadError, match="no such file or folder"):
        load_path(str(tmp_path / "nope"), max_file_bytes=LIMIT)
