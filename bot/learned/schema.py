"""The learned table, in the query log's database and its metadata (the migrations create it)."""

from __future__ import annotations

import sqlalchemy as sa

from ..querylog.schema import metadata

__all__ = ["learned"]

learned = sa.Table(
    "learned",
    metadata,
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
    sa.Column("withdrawn_by", sa.String(200)),
    sa.Column("withdrawn_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("key", name="uq_learned_key"),
    sqlite_autoincrement=True,
)
