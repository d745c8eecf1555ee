"""The first schema: answers, votes, saved citations.

Usage files written before migrations existed already hold some of these tables (made with CREATE TABLE IF
NOT EXISTS): only the missing ones are created, so such a file is adopted with its rows.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    present = set(sa.inspect(op.get_bind()).get_table_names())
    if "answers" not in present:
        op.create_table(
            "answers",
            sa.Column("id", sa.String(32), primary_key=True),
            sa.Column("asked_at", sa.Float, nullable=False),
            sa.Column("user_id", sa.BigInteger),
            sa.Column("chat_id", sa.BigInteger),
            sa.Column("question", sa.Text, nullable=False),
            sa.Column("answer", sa.Text, nullable=False),
            sa.Column("lang", sa.String(16), nullable=False),
            sa.Column("abstained", sa.Integer, nullable=False),
            sa.Column("seconds", sa.Float, nullable=False),
        )
    if "votes" not in present:
        op.create_table(
            "votes",
            sa.Column("answer_id", sa.String(32), sa.ForeignKey("answers.id"), nullable=False),
            sa.Column("user_id", sa.BigInteger, nullable=False),
            sa.Column("vote", sa.String(8), sa.CheckConstraint("vote IN ('up', 'down')"), nullable=False),
            sa.Column("voted_at", sa.Float, nullable=False),
            sa.PrimaryKeyConstraint("answer_id", "user_id"),
        )
    if "citations" not in present:
        op.create_table(
            "citations",
            sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("answer_id", sa.String(32), sa.ForeignKey("answers.id"), nullable=False, unique=True),
            sa.Column("mode", sa.String(16), nullable=False),
            sa.Column("record", sa.Text, nullable=False),
            sqlite_autoincrement=True,
        )


def downgrade() -> None:
    op.drop_table("citations")
    op.drop_table("votes")
    op.drop_table("answers")
