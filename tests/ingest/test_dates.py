"""Publication dates are read from text and metadata in Indonesian and English."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ingest.briefs import to_brief
from ingest.dates import find_date, parse_date_value
from ingest.loaders.base import RawDoc

JUNE_19 = date(2025, 6, 19)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pada hari Kamis tanggal 19 Juni 2025, perwakilan", JUNE_19),
        ("Reported on 19 June 2025 by Bloomberg", JUNE_19),
        ("Reported on June 19, 2025 by Bloomberg", JUNE_19),
        ("dated 2025-06-19.", JUNE_19),
        ("1 Agustus 2024 dan 2 Oktober 2024", date(2024, 8, 1)),
        ("Jakarta, 17 Agt 2025", date(2025, 8, 17)),
        ("Sept. 3rd, 2024", date(2024, 9, 3)),
        ("25 Desember 2023", date(2023, 12, 25)),
        ("31 Februari 2025 bukan tanggal", None),
        ("bulan Mei 2025 tanpa tanggal", None),
        ("12 juta pelanggan pada 2025", None),
    ],
)
def test_dates_in_text(text: str, expected: date | None) -> None:
    assert find_date(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-06-19", JUNE_19),
        ("2025-06-19T23:30:00+07:00", JUNE_19),
        ("Thu, 19 Jun 2025 08:00:00 +0700", JUNE_19),
        ("19 Juni 2025", JUNE_19),
        (datetime(2025, 6, 19, 10, 0), JUNE_19),
        (JUNE_19, JUNE_19),
        ("sometime soon", None),
        (None, None),
    ],
)
def test_metadata_date_values(value: object, expected: date | None) -> None:
    assert parse_date_value(value) == expected


def test_dateline_date_beats_a_later_date_in_the_body() -> None:
    text = "ANTARA,\nJAKARTA — 2 Juli 2025 — Bank sentral menyebut keputusan 19 Juni 2025 tetap berlaku."
    assert to_brief(RawDoc(text=text, origin="a.txt", key="a.txt"), "s").published == date(2025, 7, 2)


def test_metadata_date_beats_the_text() -> None:
    doc = RawDoc(
        text="Pada 19 Juni 2025 rapat digelar di Jakarta.", origin="a", key="a", published="2025-07-01"
    )
    assert to_brief(doc, "s").published == date(2025, 7, 1)
