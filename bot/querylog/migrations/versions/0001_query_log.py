"""The query log: questions, feedback and checklist runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "questions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(32)),
        sa.Column("user_pseudonym", sa.String(32)),
        sa.Column("conversation", sa.String(32)),
        sa.Column("delivery_id", sa.String(200)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("topic", sa.String(100)),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("verdict", sa.String(16)),
        sa.Column("runners_up", sa.JSON, nullable=False),
        sa.Column("latency_ms", sa.Float, nullable=False),
        sa.UniqueConstraint("channel", "delivery_id", name="uq_questions_delivery"),
    )
    op.create_index("ix_questions_asked_at", "questions", ["asked_at"])
    op.create_index("ix_questions_user_pseudonym", "questions", ["user_pseudonym"])
    op.create_index("ix_questions_topic", "questions", ["topic"])
    op.create_table(
        "feedback",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("question_id", sa.String(32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("user_pseudonym", sa.String(32)),
        sa.Column("helpful", sa.Boolean),
        sa.Column("comment", sa.Text),
        sa.Column("picked", sa.String(100)),
    )
    op.create_index("ix_feedback_question_id", "feedback", ["question_id"])
    op.create_index("ix_feedback_at", "feedback", ["at"])
    op.create_index("ix_feedback_user_pseudonym", "feedback", ["user_pseudonym"])
    op.create_table(
        "checklist_runs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("user_pseudonym", sa.String(32)),
        sa.Column("checklist", sa.String(100), nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("missed", sa.JSON, nullable=False),
    )
    op.create_index("ix_checklist_runs_at", "checklist_runs", ["at"])
    op.create_index("ix_checklist_runs_user_pseudonym", "checklist_runs", ["user_pseudonym"])


def downgrade() -> None:
    op.drop_table("checklist_runs")
    op.drop_table("feedback")
    op.drop_table("questions")
