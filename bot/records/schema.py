"""The records tables, defined once for SQLite and PostgreSQL (the migrations create them)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

metadata = MetaData()

answers = Table(
    "answers",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("asked_at", Float, nullable=False),
    # Telegram ids pass 2**31 (supergroups are -100xxxxxxxxxx): 64-bit on PostgreSQL.
    Column("user_id", BigInteger),
    Column("chat_id", BigInteger),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("lang", String(16), nullable=False),
    Column("abstained", Integer, nullable=False),
    Column("seconds", Float, nullable=False),
)

votes = Table(
    "votes",
    metadata,
    Column("answer_id", String(32), ForeignKey("answers.id"), nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("vote", String(8), CheckConstraint("vote IN ('up', 'down')"), nullable=False),
    Column("voted_at", Float, nullable=False),
    PrimaryKeyConstraint("answer_id", "user_id"),
)

citations = Table(
    "citations",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("answer_id", String(32), ForeignKey("answers.id"), nullable=False, unique=True),
    Column("mode", String(16), nullable=False),
    Column("record", Text, nullable=False),
    # Sequence numbers only grow, also after deletes (SQLite's AUTOINCREMENT; a sequence on PostgreSQL).
    sqlite_autoincrement=True,
)
