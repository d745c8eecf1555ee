"""Date intent in a question ("latest", "this week", "in June 2025", "bulan lalu") -> filters or a boost.

News questions are often about a time, and old news ranked above fresh news is a recurring complaint about
assistants of this kind. Explicit periods become inclusive date filters; "latest"-style words only ask the
retriever to favour newer briefs, because filtering on them would hide the only relevant brief.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

from bot.answering.types import Citation
from store.months import MONTHS, PATTERN

_MONTH_YEAR = re.compile(r"\b(?:in\s+|pada\s+|bulan\s+)?(" + PATTERN + r")\.?\s+(\d{4})\b", re.I)
_YEAR = re.compile(r"\b(?:in|during|tahun|pada tahun|sepanjang)\s+(\d{4})\b", re.I)
_RECENCY = re.compile(
    r"\b(latest|newest|most recent|recent(?:ly)?|current(?:ly)?|now|nowadays|up to date|"
    r"terbaru|terkini|terakhir|baru-baru ini|saat ini|sekarang|kini)\b",
    re.I,
)
_RELATIVE = {
    "today": re.compile(r"\b(today|hari ini)\b", re.I),
    "yesterday": re.compile(r"\b(yesterday|kemarin)\b", re.I),
    "this_week": re.compile(r"\b(this week|minggu ini|pekan ini)\b", re.I),
    "last_week": re.compile(r"\b(last week|past week|minggu lalu|pekan lalu|minggu kemarin)\b", re.I),
    "this_month": re.compile(r"\b(this month|bulan ini)\b", re.I),
    "last_month": re.compile(r"\b(last month|past month|bulan lalu|bulan kemarin)\b", re.I),
    "this_year": re.compile(r"\b(this year|tahun ini)\b", re.I),
}


@dataclass(frozen=True)
class DateIntent:
    since: date | None = None
    until: date | None = None
    recent: bool = False
    """Favour newer briefs (no hard filter)."""
    relative: bool = False
    """The period is relative to today ("this week"), so an empty result should fall back, not abstain."""
    query: str = ""
    """The question with explicit period phrases removed, for retrieval."""

    @property
    def has_period(self) -> bool:
        return self.since is not None or self.until is not None

    @property
    def time_sensitive(self) -> bool:
        return self.recent or self.has_period


def _relative_period(name: str, today: date) -> tuple[date, date]:
    if name == "today":
        return today, today
    if name == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    if name == "this_week":
        return today - timedelta(days=today.weekday()), today
    if name == "last_week":
        start = today - timedelta(days=today.weekday() + 7)
        return start, start + timedelta(days=6)
    if name == "this_month":
        return today.replace(day=1), today
    if name == "last_month":
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    return date(today.year, 1, 1), today


def parse_date_intent(question: str, today: date) -> DateIntent:
    """Find the period or recency wish a question expresses, relative to `today`."""
    recent = bool(_RECENCY.search(question))
    match = _MONTH_YEAR.search(question)
    if match:
        month, year = MONTHS[match.group(1).lower()], int(match.group(2))
        since, until = date(year, month, 1), date(year, month, monthrange(year, month)[1])
        return DateIntent(since, until, recent, False, _strip(question, match))
    match = _YEAR.search(question)
    if match:
        year = int(match.group(1))
        return DateIntent(date(year, 1, 1), date(year, 12, 31), recent, False, _strip(question, match))
    for name, pattern in _RELATIVE.items():
        match = pattern.search(question)
        if match:
            since, until = _relative_period(name, today)
            return DateIntent(since, until, True, True, _strip(question, match))
    return DateIntent(recent=recent, query=question)


def _strip(question: str, match: re.Match[str]) -> str:
    stripped = (question[: match.start()] + question[match.end() :]).strip()
    return re.sub(r"\s{2,}", " ", stripped) or question


# 'As of <date>' for answers about facts that change: a brief is a snapshot, and readers should know of when.
# A question is time-sensitive when it asks about a period or "the latest", or about quantities and states
# that drift (prices, shares, who leads what, whether something is still true).
_DRIFTING = re.compile(
    r"\b(still|price|prices|cost|valuation|valued|worth|stake|share|shares|ceo|leads?|status|"
    r"how many|how much|market|revenue|masih|harga|nilai|valuasi|saham|kepemilikan|berapa|pendapatan|"
    r"pasar|dipimpin)\b",
    re.I,
)


def is_time_sensitive(question: str, intent: DateIntent) -> bool:
    return intent.time_sensitive or bool(_DRIFTING.search(question))


def newest_cited(citations: list[Citation]) -> date | None:
    dates = [c.brief.published for c in citations if c.brief.published]
    return max(dates) if dates else None
