"""The usage log: answers, abstentions, answer times and votes survive a restart."""

from __future__ import annotations

from pathlib import Path

from bot.usage import UsageLog


def test_summary_counts_questions_abstentions_median_and_votes(tmp_path: Path) -> None:
    log = UsageLog.in_data_dir(tmp_path)
    first = log.record_answer(
        question="q1", answer="a1 [1]", lang="en", abstained=False, seconds=0.4, user_id=1
    )
    log.record_answer(question="q2", answer="not in the briefs", lang="id", abstained=True, seconds=1.0)
    log.record_answer(question="q3", answer="a3", lang="en", abstained=False, seconds=0.2)
    assert log.record_vote(first, 1, "down")
    assert log.record_vote(first, 1, "up")  # changing one's mind replaces the vote
    assert log.record_vote(first, 2, "up")
    assert not log.record_vote("unknown", 1, "up")
    log.close()

    reopened = UsageLog.in_data_dir(tmp_path)
    summary = reopened.summary()
    assert (summary.questions, summary.abstentions, summary.median_seconds) == (3, 1, 0.4)
    assert (summary.up_votes, summary.down_votes) == (2, 0)
    assert reopened.answer_of(first) == ("q1", "a1 [1]")
    assert reopened.votes_for(first) == {"up": 2}


def test_empty_log_has_no_median(tmp_path: Path) -> None:
    assert UsageLog(tmp_path / "sub" / "u.sqlite3").summary().median_seconds is None
