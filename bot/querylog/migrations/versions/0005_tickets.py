"""Tickets: questions put to the policy owner, and the weeks whose digest was sent.

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tickets",
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("user_pseudonym", sa.String(32)),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("topic", sa.String(100)),
        sa.Column("urgent", sa.Boolean, nullable=False),
        sa.Column("question_id", sa.String(32)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("assignee", sa.String(200)),
        sa.Column("answer", sa.Text),
        sa.Column("answer_lang", sa.String(2)),
        sa.Column("first_response_at", sa.DateTime(timezone=True)),
        sa.Column("answered_at", sa.DateTime(timezone=True)),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("contact", sa.JSON),
        sa.Column("history", sa.JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("cards", sa.JSON, nullable=False),
        sa.UniqueConstraint("key", name="uq_tickets_key"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_tickets_opened_at", "tickets", ["opened_at"])
    op.create_index("ix_tickets_user_pseudonym", "tickets", ["user_pseudonym"])
    op.create_index("ix_tickets_topic", "tickets", ["topic"])
    op.create_index("ix_tickets_status", "tickets", ["status"])
    op.create_index("ix_tickets_closed_at", "tickets", ["closed_at"])
    op.create_table(
        "ticket_digests",
        sa.Column("week", sa.String(10), primary_key=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ticket_digests")
    op.drop_table("tickets")
