"""The per-user rate limit: counts a sliding minute and forgets users who stopped asking."""

from __future__ import annotations

from bot.telegram.access import Access
from bot.telegram.settings import TelegramSettings


def test_rate_limit_slides_and_idle_users_are_forgotten() -> None:
    now = [1000.0]
    gate = Access(TelegramSettings(questions_per_minute=2), clock=lambda: now[0])
    assert gate.wait_seconds(1) == 0 and gate.wait_seconds(1) == 0
    now[0] += 20
    assert gate.wait_seconds(1) == 40  # the third question in a minute waits for the first to age out
    now[0] += 40
    assert gate.wait_seconds(1) == 0
    for user in range(2, 5000):
        gate.wait_seconds(user)
    now[0] += 61
    assert gate.wait_seconds(9999) == 0
    # Thousands of one-off askers must not stay in memory for the life of the process.
    assert set(gate._asked) == {9999}
