"""Conversations: the context a follow-up leans on, and what a logged question took from it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_contexts",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("topic", sa.String(100), nullable=False),
        sa.Column("network", sa.String(100)),
        sa.Column("app", sa.String(100)),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("user_pseudonym", sa.String(32)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_conversation_contexts_user_pseudonym", "conversation_contexts", ["user_pseudonym"])
    op.create_index("ix_conversation_contexts_updated_at", "conversation_contexts", ["updated_at"])
    with op.batch_alter_table("questions") as batch:
        batch.add_column(sa.Column("context", sa.JSON(none_as_null=True)))


def downgrade() -> None:
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("context")
    op.drop_table("conversation_contexts")
