"""A learned example or entry can be withdrawn: who took it back and when, kept for the audit.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("learned") as table:
        table.add_column(sa.Column("withdrawn_by", sa.String(200)))
        table.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    """What was withdrawn goes: the schema before this one would serve it again."""
    learned = sa.table("learned", sa.column("withdrawn_at"))
    op.execute(learned.delete().where(learned.c.withdrawn_at.is_not(None)))
    with op.batch_alter_table("learned") as table:
        table.drop_column("withdrawn_at")
        table.drop_column("withdrawn_by")
