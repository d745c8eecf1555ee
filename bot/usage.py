"""A small sqlite log of questions, answers and 👍/👎 votes, for /stats and for curators.

One file in the data folder (`<data_dir>/usage.sqlite3`). Calls are serialised by a lock, so they are safe
from worker threads; a committed write waits for the disk, so the event loop calls them through
`asyncio.to_thread`. The citations of the most recent answers are kept too, so "Show passages" works after a
restart; older ones are pruned (`keep_citations`), while questions, answers and votes are kept for good.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import statistics
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot import saved_citations
from bot.answering.types import Answer, Citation

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
CREATE TABLE IF NOT EXISTS citations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    answer_id TEXT NOT NULL UNIQUE REFERENCES answers(id),
    mode TEXT NOT NULL,
    record TEXT NOT NULL
);
"""

KEEP_CITATIONS = 5000
"""Answers whose passages stay showable. A record is about 2 KB per citation (4 KB for a typical answer), so
this caps the table near 20 MB while covering weeks of a team's questions."""


@dataclass(frozen=True)
class UsageSummary:
    questions: int
    abstentions: int
    median_seconds: float | None
    up_votes: int
    down_votes: int


class UsageLog:
    """Questions answered, abstentions, answer times, votes and the recent answers' citations."""

    def __init__(self, path: Path, *, keep_citations: int = KEEP_CITATIONS) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._keep_citations = keep_citations
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
        citations: Sequence[Citation] = (),
        mode: str = "extractive",
    ) -> str:
        """Store one answered question (and its citations, if any) and return its id.

        The id is short enough for a button's callback data; `saved_answer` finds the answer by it.
        """
        answer_id = uuid.uuid4().hex[:12]
        record = saved_citations.dumps(citations) if citations else None
        with self._lock, self._transaction():
            self._db.execute(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (answer_id, time.time(), user_id, chat_id, question, answer, lang, int(abstained), seconds),
            )
            if record is not None:
                cursor = self._db.execute(
                    "INSERT INTO citations (answer_id, mode, record) VALUES (?, ?, ?)",
                    (answer_id, mode, record),
                )
                # Sequence numbers only grow, so everything this far behind the newest row is out.
                self._db.execute(
                    "DELETE FROM citations WHERE seq <= ?",
                    (int(cursor.lastrowid or 0) - self._keep_citations,),
                )
        return answer_id

    def saved_answer(self, answer_id: str) -> Answer | None:
        """A recorded answer with its citations, or None when it has none kept (too old, unknown, unreadable).

        Only what was stored comes back: no timings, evidence, nearest briefs or notice.
        """
        try:
            with self._lock:
                row = self._db.execute(
                    "SELECT a.question, a.answer, a.lang, a.abstained, c.mode, c.record "
                    "FROM citations c JOIN answers a ON a.id = c.answer_id WHERE c.answer_id = ?",
                    (answer_id,),
                ).fetchone()
            if row is None:
                return None
            question, text, lang, abstained, mode, record = row
            citations = saved_citations.loads(record)
        except (sqlite3.Error, ValueError) as exc:
            logger.warning("unreadable saved citations answer_id=%s error=%r", answer_id, exc)
            return None
        return Answer(
            question=str(question),
            text=str(text),
            citations=citations,
            lang=str(lang),
            abstained=bool(abstained),
            mode="generated" if mode == "generated" else "extractive",
        )

    def record_vote(self, answer_id: str, user_id: int, vote: Vote) -> str | None:
        """Record (or change) a user's vote on an answer. Returns the answer's language, so the thanks can be
        said in it even after a restart; None when the answer is unknown."""
        with self._lock:
            known = self._db.execute("SELECT lang FROM answers WHERE id = ?", (answer_id,)).fetchone()
            if not known:
                logger.info("vote for unknown answer answer_id=%s", answer_id)
                return None
            self._db.execute(
                "INSERT INTO votes VALUES (?, ?, ?, ?) "
                "ON CONFLICT(answer_id, user_id) "
                "DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at",
                (answer_id, user_id, vote, time.time()),
            )
        return str(known[0])

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

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        # The connection autocommits; an answer and its citations go in together or not at all.
        self._db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()
