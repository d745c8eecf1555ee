"""A small sqlite log of questions, answers and 👍/👎 votes, for /stats and for curators.

One file in the data folder (`<data_dir>/usage.sqlite3`). Writes are tiny and serialised by a lock, so the
front ends may call it from the event loop or from worker threads alike.
"""

from __future__ import annotations

import logging
import sqlite3
import statistics
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

logger = logging.getLogger(__name__)

Vote = Literal["up", "down"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id TEXT PRIMARY KEY,
    asked_at REAL NOT NULL,
    user_id INTEGER,
    chat_id INTEGER,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    lang TEXT NOT NULL,
    abstained INTEGER NOT NULL,
    seconds REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS votes (
    answer_id TEXT NOT NULL REFERENCES answers(id),
    user_id INTEGER NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    voted_at REAL NOT NULL,
    PRIMARY KEY (answer_id, user_id)
);
"""


@dataclass(frozen=True)
class UsageSummary:
    questions: int
    abstentions: int
    median_seconds: float | None
    up_votes: int
    down_votes: int


class UsageLog:
    """Questions answered, abstentions, answer times and votes."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> UsageLog:
        return cls(data_dir / "usage.sqlite3")

    def record_answer(
        self,
        *,
        question: str,
        answer: str,
        lang: str,
        abstained: bool,
        seconds: float,
        user_id: int | None = None,
        chat_id: int | None = None,
    ) -> str:
        """Store one answered question and return its id (short, fits in a button's callback data)."""
        answer_id = uuid.uuid4().hex[:12]
        with self._lock:
            self._db.execute(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (answer_id, time.time(), user_id, chat_id, question, answer, lang, int(abstained), seconds),
            )
        return answer_id

    def record_vote(self, answer_id: str, user_id: int, vote: Vote) -> bool:
        """Record (or change) a user's vote on an answer; False when the answer is unknown."""
        with self._lock:
            known = self._db.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone()
            if not known:
                logger.info("vote for unknown answer answer_id=%s", answer_id)
                return False
            self._db.execute(
                "INSERT INTO votes VALUES (?, ?, ?, ?) "
                "ON CONFLICT(answer_id, user_id) "
                "DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at",
                (answer_id, user_id, vote, time.time()),
            )
        return True

    def votes_for(self, answer_id: str) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute(
                "SELECT vote, COUNT(*) FROM votes WHERE answer_id = ? GROUP BY vote", (answer_id,)
            ).fetchall()
        return {str(vote): int(count) for vote, count in rows}

    def answer_of(self, answer_id: str) -> tuple[str, str] | None:
        """(question, answer) of a recorded answer."""
        with self._lock:
            row = self._db.execute(
                "SELECT question, answer FROM answers WHERE id = ?", (answer_id,)
            ).fetchone()
        return (str(row[0]), str(row[1])) if row else None

    def summary(self) -> UsageSummary:
        with self._lock:
            questions, abstentions = self._db.execute(
                "SELECT COUNT(*), COALESCE(SUM(abstained), 0) FROM answers"
            ).fetchone()
            seconds = [row[0] for row in self._db.execute("SELECT seconds FROM answers")]
            votes = dict(self._db.execute("SELECT vote, COUNT(*) FROM votes GROUP BY vote").fetchall())
        return UsageSummary(
            questions=int(questions),
            abstentions=int(abstentions),
            median_seconds=statistics.median(seconds) if seconds else None,
            up_votes=int(votes.get("up", 0)),
            down_votes=int(votes.get("down", 0)),
        )

    def close(self) -> None:
        with self._lock:
            self._db.close()
