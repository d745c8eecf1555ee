from __future__ import annotations

from datetime import date

import pytest

from bot.answering.dates import parse_date_intent

TODAY = date(2025, 7, 16)  # a Wednesday


@pytest.mark.parametrize(
    ("question", "since", "until"),
    [
        ("What did Meta announce in June 2025?", date(2025, 6, 1), date(2025, 6, 30)),
        ("Apa yang terjadi pada Scale AI Juni 2025?", date(2025, 6, 1), date(2025, 6, 30)),
        ("Berita QRIS tahun 2024", date(2024, 1, 1), date(2024, 12, 31)),
        ("Scale AI news this week", date(2025, 7, 14), TODAY),
        ("kabar Scale AI bulan lalu", date(2025, 6, 1), date(2025, 6, 30)),
        ("what happened last week?", date(2025, 7, 7), date(2025, 7, 13)),
    ],
)
def test_periods_become_inclusive_date_ranges(question: str, since: date, until: date) -> None:
    intent = parse_date_intent(question, TODAY)
    assert (intent.since, intent.until) == (since, until)
    assert intent.time_sensitive


def test_period_phrase_is_removed_from_the_search_query() -> None:
    intent = parse_date_intent("What did Meta announce in June 2025?", TODAY)
    assert "June" not in intent.query and "Meta" in intent.query


@pytest.mark.parametrize("question", ["What is the latest on Scale AI?", "Apa kabar terbaru soal QRIS?"])
def test_latest_asks_for_recency_without_a_filter(question: str) -> None:
    intent = parse_date_intent(question, TODAY)
    assert intent.recent and not intent.has_period


def test_plain_question_has_no_date_intent() -> None:
    intent = parse_date_intent("Why did OpenAI leave Scale AI?", TODAY)
    assert not intent.time_sensitive and intent.query == "Why did OpenAI leave Scale AI?"
