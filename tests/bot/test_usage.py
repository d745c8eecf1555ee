"""The usage log: answers, abstentions, answer times, votes and recent citations survive a restart."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from bot.usage import UsageLog
from tests.support.citations import cited


def test_summary_counts_questions_abstentions_median_and_votes(tmp_path: Path) -> None:
    log = UsageLog.in_data_dir(tmp_path)
    first = log.record_answer(
        question="q1", answer="a1 [1]", lang="en", abstained=False, seconds=0.4, user_id=1
    )
    log.record_answer(question="q2", answer="not in the briefs", lang="id", abstained=True, seconds=1.0)
    log.record_answer(question="q3", answer="a3", lang="en", abstained=False, seconds=0.2)
    assert log.record_vote(first, 1, "down") == "en"  # the answer's language, for the thanks
    assert log.record_vote(first, 1, "up") == "en"  # changing one's mind replaces the vote
    assert log.record_vote(first, 2, "up") == "en"
    assert log.record_vote("unknown", 1, "up") is None
    log.close()

    reopened = UsageLog.in_data_dir(tmp_path)
    summary = reopened.summary()
    assert (summary.questions, summary.abstentions, summary.median_seconds) == (3, 1, 0.4)
    assert (summary.up_votes, summary.down_votes) == (2, 0)
    assert reopened.answer_of(first) == ("q1", "a1 [1]")
    assert reopened.votes_for(first) == {"up": 2}


def test_empty_log_has_no_median(tmp_path: Path) -> None:
    assert UsageLog(tmp_path / "sub" / "u.sqlite3").summary().median_seconds is None


def test_citations_come_back_unchanged_after_a_reopen(tmp_path: Path) -> None:
    cites = [
        cited(1, "Telkomsel meluncurkan 5G.", url="https://x.id/a?b=1&c=2", published=date(2025, 6, 3)),
        cited(2, "Harga naik “tajam”."),
    ]
    log = UsageLog.in_data_dir(tmp_path)
    answer_id = log.record_answer(
        question="Apa kata Telkomsel?",
        answer="Telkomsel meluncurkan 5G [1]. Harga naik [2].",
        lang="id",
        abstained=False,
        seconds=0.3,
        citations=cites,
        mode="generated",
    )
    log.close()
    saved = UsageLog.in_data_dir(tmp_path).saved_answer(answer_id)
    assert saved is not None
    assert saved.citations == cites
    assert (saved.question, saved.lang, saved.mode, saved.abstained) == (
        "Apa kata Telkomsel?",
        "id",
        "generated",
        False,
    )


def test_only_the_newest_citations_are_kept_but_every_answer_stays_counted(tmp_path: Path) -> None:
    log = UsageLog(tmp_path / "u.sqlite3", keep_citations=3)
    ids = [
        log.record_answer(
            question=f"q{i}",
            answer="a [1]",
            lang="en",
            abstained=False,
            seconds=0.1,
            citations=[cited(1, "Q.")],
        )
        for i in range(5)
    ]
    assert [log.saved_answer(i) is not None for i in ids] == [False, False, True, True, True]
    assert log.summary().questions == 5 and log.answer_of(ids[0]) == ("q0", "a [1]")
    assert log.record_vote(ids[0], 1, "up") is not None  # votes on old answers still count


def test_an_answer_without_citations_has_nothing_to_show(tmp_path: Path) -> None:
    log = UsageLog.in_data_dir(tmp_path)
    abstained = log.record_answer(
        question="q", answer="not in the briefs", lang="en", abstained=True, seconds=1
    )
    assert log.saved_answer(abstained) is None
    assert log.saved_answer("unknown") is None


def test_a_usage_file_from_before_saved_citations_opens_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "usage.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE answers (id TEXT PRIMARY KEY, asked_at REAL NOT NULL, user_id INTEGER,"
            " chat_id INTEGER, question TEXT NOT NULL, answer TEXT NOT NULL, lang TEXT NOT NULL,"
            " abstained INTEGER NOT NULL, seconds REAL NOT NULL)"
        )
        db.execute("INSERT INTO answers VALUES ('old', 1.0, 1, 1, 'q', 'a', 'en', 0, 0.5)")
    log = UsageLog(path)
    assert log.answer_of("old") == ("q", "a") and log.saved_answer("old") is None
    new = log.record_answer(
        question="q2", answer="a [1]", lang="en", abstained=False, seconds=0.2, citations=[cited(1, "Q.")]
    )
    assert log.saved_answer(new) is not None and log.summary().questions == 2
