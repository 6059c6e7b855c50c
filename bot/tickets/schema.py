"""The tickets' table, in the query log's database and its metadata (the migrations create it)."""

from __future__ import annotations

import sqlalchemy as sa

from ..querylog.schema import metadata

__all__ = ["digests", "tickets"]

tickets = sa.Table(
    "tickets",
    metadata,
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(64), nullable=False),
    sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("user_pseudonym", sa.String(32), index=True),
    sa.Column("lang", sa.String(2), nullable=False),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("topic", sa.String(100), index=True),
    sa.Column("urgent", sa.Boolean, nullable=False),
    sa.Column("question_id", sa.String(32)),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("assignee", sa.String(200)),
    sa.Column("answer", sa.Text),
    sa.Column("answer_lang", sa.String(2)),
    sa.Column("first_response_at", sa.DateTime(timezone=True)),
    sa.Column("answered_at", sa.DateTime(timezone=True)),
    sa.Column("closed_at", sa.DateTime(timezone=True), index=True),
    sa.Column("contact", sa.JSON(none_as_null=True)),
    sa.Column("history", sa.JSON, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("cards", sa.JSON, nullable=False),
    sa.UniqueConstraint("key", name="uq_tickets_key"),
    sqlite_autoincrement=True,
)

digests = sa.Table(
    "ticket_digests",
    metadata,
    sa.Column("week", sa.String(10), primary_key=True),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
)
