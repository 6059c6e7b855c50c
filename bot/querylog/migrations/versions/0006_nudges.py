"""The nudge: channels that opted in, and one row per person, kind of link and day nudged.

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nudge_channels",
        sa.Column("workspace", sa.String(32), primary_key=True),
        sa.Column("conversation", sa.String(32), primary_key=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "nudges",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("user_pseudonym", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_nudges_at", "nudges", ["at"])


def downgrade() -> None:
    op.drop_table("nudges")
    op.drop_table("nudge_channels")
