"""The one month table of the project: names in English and Indonesian, and every written form of them.

The ingestion job reads publication dates with it (`ingest/dates.py`), the bot reads periods in questions
(`bot/answering/dates.py`), matches names across languages (`bot/answering/verify.py`) and writes dates
(`bot/console_texts.py`).
"""

from __future__ import annotations

NAMES = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
           "November", "Desember"),
}  # fmt: skip

MONTHS: dict[str, int] = {
    **{name.lower(): number for names in NAMES.values() for number, name in enumerate(names, 1)},
    # Old Indonesian spellings and short forms (three-letter ones serve both languages where they coincide)
    "pebruari": 2, "nopember": 11, "peb": 2, "agu": 8, "agt": 8, "okt": 10, "des": 12, "nop": 11,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
}  # fmt: skip
"""Lower-case month word -> month number."""

PATTERN = "|".join(sorted(MONTHS, key=len, reverse=True))
"""A regex alternation of every form in `MONTHS`, longest first."""


def month_name(month: int, lang: str) -> str:
    """The month's name in `lang` ("id"; English for anything else)."""
    return NAMES["id" if lang == "id" else "en"][month - 1]
