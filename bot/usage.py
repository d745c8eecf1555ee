"""The records of questions, answers and 👍/👎 votes, for /stats and for curators: SQLite or PostgreSQL.

By default one SQLite file in the data folder (`<data_dir>/usage.sqlite3`) that only this process writes; with
`BRIEFBOT_RECORDS__URL` a PostgreSQL database that every replica shares, so a vote or "Show passages" pressed
on one replica finds the answer another one gave. Both go through the same SQLAlchemy Core statements, and
the schema is kept by Alembic migrations (`bot.records.migrate`), run when the log opens. Calls block (a
committed write waits for the disk or the server), so the event loop calls them through `asyncio.to_thread`;
they are safe from worker threads. The citations of the most recent answers are kept too, so "Show passages"
works after a restart; older ones are pruned (`keep_citations`), while questions, answers and votes are kept
for good.
"""

from __future__ import annotations

import contextlib
import logging
import statistics
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Connection, Engine, create_engine, delete, event, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from bot import saved_citations
from bot.answering.types import Citation, Mode
from bot.records import migrate, schema
from bot.records.schema import answers, votes

if TYPE_CHECKING:
    from bot.settings import BotSettings

logger = logging.getLogger(__name__)

Vote = Literal["up", "down"]

KEEP_CITATIONS = 5000
"""Answers whose passages stay showable. A record is about 2 KB per citation (4 KB for a typical answer), so
this caps the table near 20 MB while covering weeks of a team's questions."""


class RecordsError(Exception):
    """The records database cannot be opened or read; the message says which, without any password."""


@dataclass(frozen=True)
class UsageSummary:
    questions: int
    abstentions: int
    median_seconds: float | None
    up_votes: int
    down_votes: int


@dataclass(frozen=True)
class SavedAnswer:
    """An answer as recorded: what was shown (`text`, with its [n] markers) and its citations."""

    question: str
    text: str
    citations: list[Citation]
    lang: str
    abstained: bool
    mode: Mode


@dataclass(frozen=True)
class Unanswered:
    """A question the briefs did not cover: what curators should add."""

    asked_at: float
    question: str
    lang: str


def _cause(exc: SQLAlchemyError) -> str:
    """The driver's error name (what went wrong, e.g. OperationalError), never its message with the URL."""
    orig = getattr(exc, "orig", None)
    return type(orig or exc).__name__


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _engine(url: str, pool_size: int) -> Engine:
    if url.startswith("sqlite"):
        # One connection per call: SQLite opens in microseconds and a pooled one would pin a file lock.
        engine = create_engine(url, poolclass=NullPool, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()

        return engine
    return create_engine(url, pool_size=pool_size, pool_pre_ping=True, hide_parameters=True)


class UsageLog:
    """Questions answered, abstentions, answer times, votes and the recent answers' citations."""

    def __init__(self, path: Path, *, keep_citations: int = KEEP_CITATIONS) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._open(sqlite_url(path), keep_citations=keep_citations, pool_size=1)

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> UsageLog:
        return cls(data_dir / "usage.sqlite3")

    @classmethod
    def from_url(
        cls, url: str, *, keep_citations: int = KEEP_CITATIONS, pool_size: int = 5, upgrade: bool = True
    ) -> UsageLog:
        """The records at an SQLAlchemy URL (`postgresql+psycopg://...` or `sqlite:///...`); `upgrade=False`
        leaves the schema as it is (a read-only probe)."""
        log = cls.__new__(cls)
        log._open(url, keep_citations=keep_citations, pool_size=pool_size, upgrade=upgrade)
        return log

    def _open(self, url: str, *, keep_citations: int, pool_size: int, upgrade: bool = True) -> None:
        self._keep_citations = keep_citations
        self._engine = _engine(url, pool_size)
        self._dialect = self._engine.dialect.name
        # SQLite has one writer at a time anyway; serialising here avoids "database is locked" retries.
        self._lock: contextlib.AbstractContextManager[Any] = (
            threading.Lock() if self._dialect == "sqlite" else contextlib.nullcontext()
        )
        try:
            if upgrade:
                migrate.upgrade(self._engine)
            else:
                migrate.current(self._engine)  # at least prove the database answers
        except SQLAlchemyError as exc:
            self._engine.dispose()
            raise RecordsError(
                f"The records database ({self.where}) cannot be opened: {_cause(exc)}."
            ) from exc

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def revision(self) -> str | None:
        """The schema revision the database is at."""
        return migrate.current(self._engine)

    @property
    def where(self) -> str:
        """The database's URL without its password, for messages and logs."""
        return self._engine.url.render_as_string(hide_password=True)

    @contextlib.contextmanager
    def _begin(self) -> Iterator[Connection]:
        with self._lock, self._engine.begin() as connection:
            yield connection

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
        answer_id: str | None = None,
    ) -> str:
        """Store one answered question (and its citations, if any) and return its id.

        The id is short enough for a button's callback data; `saved_answer` finds the answer by it. A given
        `answer_id` that is already stored (the same update answered again after a replica died) is kept as it
        is, so a redelivered question is counted once.
        """
        answer_id = answer_id or uuid.uuid4().hex[:12]
        record = saved_citations.dumps(citations) if citations else None
        row = {
            "id": answer_id,
            "asked_at": time.time(),
            "user_id": user_id,
            "chat_id": chat_id,
            "question": question,
            "answer": answer,
            "lang": lang,
            "abstained": int(abstained),
            "seconds": seconds,
        }
        # An answer and its citations go in together or not at all.
        with self._begin() as db:
            if db.execute(select(answers.c.id).where(answers.c.id == answer_id)).first() is not None:
                return answer_id
            db.execute(insert(answers).values(row))
            if record is not None:
                saved = schema.citations
                seq = db.execute(
                    insert(saved).values(answer_id=answer_id, mode=mode, record=record).returning(saved.c.seq)
                ).scalar_one()
                # Sequence numbers only grow, so everything this far behind the newest row is out.
                db.execute(delete(saved).where(saved.c.seq <= int(seq) - self._keep_citations))
        return answer_id

    def saved_answer(self, answer_id: str) -> SavedAnswer | None:
        """A recorded answer with its citations, or None when it has none kept (too old, unknown, unreadable).

        Only what was stored comes back: no timings, evidence, nearest briefs or notice.
        """
        saved = schema.citations
        query = (
            select(
                answers.c.question,
                answers.c.answer,
                answers.c.lang,
                answers.c.abstained,
                saved.c.mode,
                saved.c.record,
            )
            .select_from(saved.join(answers, answers.c.id == saved.c.answer_id))
            .where(saved.c.answer_id == answer_id)
        )
        try:
            with self._begin() as db:
                row = db.execute(query).first()
            if row is None:
                return None
            question, text, lang, abstained, mode, record = row
            cited = saved_citations.loads(record)
        except (SQLAlchemyError, ValueError) as exc:
            logger.warning("unreadable saved citations answer_id=%s error=%s", answer_id, type(exc).__name__)
            return None
        return SavedAnswer(
            question=str(question),
            text=str(text),
            citations=cited,
            lang=str(lang),
            abstained=bool(abstained),
            mode="generated" if mode == "generated" else "extractive",
        )

    def record_vote(self, answer_id: str, user_id: int, vote: Vote) -> str | None:
        """Record (or change) a user's vote on an answer. Returns the answer's language, so the thanks can be
        said in it even after a restart; None when the answer is unknown."""
        dialect: Any = postgresql if self._dialect == "postgresql" else sqlite
        upsert = dialect.insert(votes).values(
            answer_id=answer_id, user_id=user_id, vote=vote, voted_at=time.time()
        )
        upsert = upsert.on_conflict_do_update(
            index_elements=[votes.c.answer_id, votes.c.user_id],
            set_={"vote": upsert.excluded.vote, "voted_at": upsert.excluded.voted_at},
        )
        with self._begin() as db:
            known = db.execute(select(answers.c.lang).where(answers.c.id == answer_id)).first()
            if known is None:
                logger.info("vote for unknown answer answer_id=%s", answer_id)
                return None
            db.execute(upsert)
        return str(known[0])

    def votes_for(self, answer_id: str) -> dict[str, int]:
        query = (
            select(votes.c.vote, func.count()).where(votes.c.answer_id == answer_id).group_by(votes.c.vote)
        )
        with self._begin() as db:
            rows = db.execute(query).all()
        return {str(vote): int(count) for vote, count in rows}

    def answer_of(self, answer_id: str) -> tuple[str, str] | None:
        """(question, answer) of a recorded answer."""
        with self._begin() as db:
            row = db.execute(
                select(answers.c.question, answers.c.answer).where(answers.c.id == answer_id)
            ).first()
        return (str(row[0]), str(row[1])) if row else None

    def unanswered(self, limit: int = 20) -> list[Unanswered]:
        """The most recent questions the briefs did not cover, newest first."""
        query = (
            select(answers.c.asked_at, answers.c.question, answers.c.lang)
            .where(answers.c.abstained == 1)
            .order_by(answers.c.asked_at.desc())
            .limit(limit)
        )
        with self._begin() as db:
            rows = db.execute(query).all()
        return [Unanswered(float(at), str(question), str(lang)) for at, question, lang in rows]

    def summary(self) -> UsageSummary:
        with self._begin() as db:
            questions, abstentions = db.execute(
                select(func.count(), func.coalesce(func.sum(answers.c.abstained), 0))
            ).one()
            seconds = list(db.execute(select(answers.c.seconds)).scalars())
            counted = db.execute(select(votes.c.vote, func.count()).group_by(votes.c.vote)).all()
        tally = {str(vote): int(count) for vote, count in counted}
        return UsageSummary(
            questions=int(questions),
            abstentions=int(abstentions),
            median_seconds=statistics.median(seconds) if seconds else None,
            up_votes=tally.get("up", 0),
            down_votes=tally.get("down", 0),
        )

    def close(self) -> None:
        self._engine.dispose()


def open_usage(settings: BotSettings, *, upgrade: bool = True) -> UsageLog:
    """The records the settings name: the shared database, or the SQLite file in the data folder."""
    records = settings.records
    if records.url is None:
        return UsageLog.in_data_dir(settings.store.data_dir)
    return UsageLog.from_url(records.url.get_secret_value(), pool_size=records.pool_size, upgrade=upgrade)
