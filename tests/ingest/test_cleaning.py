"""Scraped text is repaired and its header becomes metadata, as a curator would expect."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.briefs import to_brief
from ingest.cleaning import clean_scraped, join_broken_lines, normalise, split_header
from ingest.loaders.base import RawDoc


def test_seed_article_becomes_a_clean_brief(seed_text: str) -> None:
    brief = to_brief(RawDoc(text=seed_text, origin="seeds/000.txt", key="000.txt"), scope="seeds")

    assert brief.source == "ZONA GADGET"
    assert brief.place == "JAKARTA"
    assert brief.published == date(2025, 6, 19)
    assert brief.lang == "id"
    assert brief.title.startswith("OpenAI menyatakan penghentian kerjasama dengan Scale AI")
    # The header is gone and the linked names are back inside their sentences.
    assert brief.text.startswith("OpenAI, perusahaan di balik ChatGPT, menyatakan penghentian")
    assert "ZONA GADGET" not in brief.text
    assert "kurang lebih Rp472 triliun" in brief.text
    assert "Google, serta Meta, yang berperan" in brief.text
    assert "\n," not in brief.text
    assert '"superintelligence"' in brief.text


@pytest.mark.parametrize(
    ("raw", "source", "place", "body"),
    [
        ("ZONA GADGET,\nJAKARTA — Harga naik.", "ZONA GADGET", "JAKARTA", "Harga naik."),
        ("JAKARTA, KOMPAS.com - Harga nikel naik.", "KOMPAS.com", "JAKARTA", "Harga nikel naik."),
        ("SINGAPORE (Reuters) - Grab said on Tuesday.", "Reuters", "SINGAPORE", "Grab said on Tuesday."),
        ("SURABAYA – Pelabuhan ramai.", None, "SURABAYA", "Pelabuhan ramai."),
        ("BRI naik 5 persen - kata analis.", None, None, "BRI naik 5 persen - kata analis."),
        ("Harga nikel naik.", None, None, "Harga nikel naik."),
    ],
)
def test_dateline_headers_are_split_off(raw: str, source: str | None, place: str | None, body: str) -> None:
    header, rest = split_header(raw)
    assert (header.source, header.place, rest) == (source, place, body)


def test_linked_names_rejoin_but_paragraphs_and_headings_stay() -> None:
    text = (
        "Kata CEO\nSam Altman\nkepada wartawan.\nLatar belakang\nMeta membeli saham Scale AI pada bulan Juni."
    )
    assert join_broken_lines(text) == (
        "Kata CEO Sam Altman kepada wartawan.\nLatar belakang\nMeta membeli saham Scale AI pada bulan Juni."
    )


def test_normalise_quotes_spaces_and_glued_currency() -> None:
    messy = "“Laba”  naik\u00a0ke\u200b US$3 juta atau sekitarRp48 miliar\n\n\n\nBaris baru\r\n"
    assert normalise(messy) == '"Laba" naik ke US$3 juta atau sekitar Rp48 miliar\n\nBaris baru'


def test_curated_text_keeps_its_first_line() -> None:
    # Front matter already names the source: an upper-case first line is content, not a header to strip.
    doc = RawDoc(
        text="OJK — regulator keuangan — menerbitkan aturan baru.", origin="x.md", key="x.md", scraped=False
    )
    brief = to_brief(doc, scope="s")
    assert brief.text.startswith("OJK")
    assert brief.place is None


def test_clean_scraped_returns_header_text_for_date_lookup() -> None:
    header, body = clean_scraped("ANTARA,\nJAKARTA — Kamis, 5 Juni 2025. Rupiah menguat.")
    assert header.source == "ANTARA"
    assert body.startswith("Kamis, 5 Juni 2025.")
