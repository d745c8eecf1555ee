"""'As of <date>' for answers about facts that change: a brief is a snapshot, and readers should know of when.

A question is time-sensitive when it asks about a period or "the latest", or about quantities and states that
drift (prices, shares, who leads what, whether something is still true).
"""

from __future__ import annotations

import re
from datetime import date

from bot.answering.dates import DateIntent
from bot.answering.types import Citation

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
