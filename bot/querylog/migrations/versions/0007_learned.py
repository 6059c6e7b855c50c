"""What the policy owner taught the advisor: examples added to topics and published entries.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learned",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("topic", sa.String(100), nullable=False),
        sa.Column("lang", sa.String(2)),
        sa.Column("text", sa.Text),
        sa.Column("document", sa.JSON(none_as_null=True)),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ticket", sa.Integer),
        sa.UniqueConstraint("key", name="uq_learned_key"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("learned")
