"""A .txt whose first line is a publisher-and-date line, and an HTML page dated only by its copyright."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ingest.briefs import to_briefs
from ingest.loaders.files import load_path
from store.types import Brief


def load_one(folder: Path, name: str, content: str) -> Brief:
    (folder / name).write_text(content, encoding="utf-8")
    briefs, failed = to_briefs(load_path(str(folder), max_file_bytes=100_000), scope="t")
    assert failed == []
    return briefs[0]


def test_a_dateline_first_line_gives_source_and_date_not_the_title(tmp_path: Path) -> None:
    brief = load_one(
        tmp_path,
        "goto.txt",
        "Jakarta Tech Review — 3 July 2025\nGoTo menutup unit logistiknya di Surabaya. "
        "Perusahaan itu memangkas 300 karyawan.\n",
    )
    assert brief.title == "GoTo menutup unit logistiknya di Surabaya"
    assert (brief.source, brief.published) == ("Jakarta Tech Review", date(2025, 7, 3))
    assert brief.text.startswith("GoTo menutup")


def test_a_copyright_footer_is_not_a_publication_date(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Startup raises funds</title></head><body><article><h1>Startup raises funds</h1>"
        "<p>A Jakarta logistics startup raised new funding from regional investors to expand its fleet of "
        "electric vans across Java and Bali this year.</p><p>The company plans to hire two hundred drivers "
        "and open three new hubs.</p></article><footer>(c) 2025 Example Media. All rights reserved.</footer>"
        "</body></html>"
    )
    assert load_one(tmp_path, "startup.html", page).published is None


def test_a_real_publication_date_in_the_page_is_still_read(tmp_path: Path) -> None:
    page = (
        '<html><head><meta property="article:published_time" content="2025-05-04T10:00:00Z">'
        "<title>Startup raises funds</title></head><body><article><p>A Jakarta logistics startup raised "
        "new funding from regional investors to expand its fleet of electric vans.</p></article>"
        "<footer>(c) 2025 Example Media.</footer></body></html>"
    )
    assert load_one(tmp_path, "startup.html", page).published == date(2025, 5, 4)
