"""The query log's tables as SQLAlchemy describes them, for queries and for the migrations'
autogenerate check. The schema itself is created and changed only by the alembic migrations in
``bot/querylog/migrations``.
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = [
    "checklist_runs",
    "conversation_contexts",
    "delivery_claims",
    "feedback",
    "metadata",
    "pending_answers",
    "questions",
]

metadata = sa.MetaData()

questions = sa.Table(
    "questions",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("workspace", sa.String(32)),
    sa.Column("user_pseudonym", sa.String(32), index=True),
    sa.Column("conversation", sa.String(32)),
    sa.Column("delivery_id", sa.String(200)),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("lang", sa.String(2), nullable=False),
    sa.Column("topic", sa.String(100), index=True),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("confidence", sa.Float, nullable=False),
    sa.Column("verdict", sa.String(16)),
    sa.Column("runners_up", sa.JSON, nullable=False),
    sa.Column("latency_ms", sa.Float, nullable=False),
    sa.Column("context", sa.JSON(none_as_null=True)),
    sa.UniqueConstraint("channel", "delivery_id", name="uq_questions_delivery"),
)

feedback = sa.Table(
    "feedback",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("question_id", sa.String(32), nullable=False, index=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("user_pseudonym", sa.String(32), index=True),
    sa.Column("helpful", sa.Boolean),
    sa.Column("comment", sa.Text),
    sa.Column("picked", sa.String(100)),
)

checklist_runs = sa.Table(
    "checklist_runs",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("user_pseudonym", sa.String(32), index=True),
    sa.Column("checklist", sa.String(100), nullable=False),
    sa.Column("total", sa.Integer, nullable=False),
    sa.Column("missed", sa.JSON, nullable=False),
)

delivery_claims = sa.Table(
    "delivery_claims",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False, index=True),
)

pending_answers = sa.Table(
    "pending_answers",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("lease_until", sa.DateTime(timezone=True), nullable=False, index=True),
)

conversation_contexts = sa.Table(
    "conversation_contexts",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("topic", sa.String(100), nullable=False),
    sa.Column("network", sa.String(100)),
    sa.Column("app", sa.String(100)),
    sa.Column("lang", sa.String(2), nullable=False),
    sa.Column("user_pseudonym", sa.String(32), index=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, index=True),
)
