"""Publication dates from metadata values or from the text itself, in Indonesian or English."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from store.months import MONTHS, PATTERN

_MONTH = PATTERN
_DAY_FIRST = re.compile(rf"\b(\d{{1,2}})\s+({_MONTH})\.?,?\s+(\d{{4}})\b", re.IGNORECASE)
_MONTH_FIRST = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.IGNORECASE)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")

# Dates outside this window are typos or historical references, not publication dates of a news brief.
_EARLIEST_YEAR = 1990
_LATEST_YEAR = 2100


def find_date(text: str) -> date | None:
    """The first valid date written in `text` (earliest position wins), or None."""
    found: list[tuple[int, date]] = []
    for match in _ISO.finditer(text):
        _keep(found, match.start(), match.group(1), match.group(2), match.group(3))
    for match in _DAY_FIRST.finditer(text):
        _keep(found, match.start(), match.group(3), MONTHS[match.group(2).lower()], match.group(1))
    for match in _MONTH_FIRST.finditer(text):
        _keep(found, match.start(), match.group(3), MONTHS[match.group(1).lower()], match.group(2))
    return min(found)[1] if found else None


def parse_date_value(value: Any) -> date | None:
    """A metadata value (date, datetime, ISO string, "19 Juni 2025", RFC 822) as a date."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return find_date(text)


def _keep(found: list[tuple[int, date]], position: int, year: str, month: str | int, day: str) -> None:
    try:
        value = date(int(year), int(month), int(day))
    except ValueError:
        return
    if _EARLIEST_YEAR <= value.year <= _LATEST_YEAR:
        found.append((position, value))
