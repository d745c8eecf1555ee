"""An index for the unanswered-questions listing and time-ordered reports.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("answers_abstained_asked_at", "answers", ["abstained", "asked_at"])


def downgrade() -> None:
    op.drop_index("answers_abstained_asked_at", table_name="answers")
