"""The nudge's store in the query log's database (SQLite or PostgreSQL), in tables of its own
(``nudge_channels``, ``nudges``; created by the log's migrations)."""

from __future__ import annotations

import threading
from collections import Counter
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ..querylog.schema import metadata
from .store import NudgeCount, _ranked

__all__ = ["SqlNudgeStore", "nudge_channels", "nudges"]

nudge_channels = sa.Table(
    "nudge_channels",
    metadata,
    sa.Column("workspace", sa.String(32), primary_key=True),
    sa.Column("conversation", sa.String(32), primary_key=True),
    sa.Column("since", sa.DateTime(timezone=True), nullable=False),
)

nudges = sa.Table(
    "nudges",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("user_pseudonym", sa.String(32), primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("subject", sa.String(64), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
)


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


class SqlNudgeStore:
    def __init__(self, engine: Engine, write_lock: AbstractContextManager[Any] | None = None) -> None:
        self.engine = engine
        if write_lock is None:
            write_lock = threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()
        self.write_lock = write_lock

    def is_on(self, workspace: str, conversation: str) -> bool:
        query = sa.select(nudge_channels.c.since).where(
            nudge_channels.c.workspace == workspace, nudge_channels.c.conversation == conversation
        )
        with self.engine.connect() as connection:
            return connection.execute(query).first() is not None

    def turn(self, workspace: str, conversation: str, on: bool, at: datetime) -> None:
        key = (nudge_channels.c.workspace == workspace, nudge_channels.c.conversation == conversation)
        with self.write_lock, self.engine.begin() as connection:
            connection.execute(sa.delete(nudge_channels).where(*key))
            if on:
                row = {"workspace": workspace, "conversation": conversation, "since": _utc(at)}
                connection.execute(sa.insert(nudge_channels).values(row))

    def take(self, user: str, kind: str, subject: str, at: datetime) -> bool:
        at = _utc(at)
        row = {"day": at.date(), "user_pseudonym": user, "kind": kind, "subject": subject, "at": at}
        try:
            with self.write_lock, self.engine.begin() as connection:
                connection.execute(sa.insert(nudges).values(row))
        except sa.exc.IntegrityError:
            return False
        return True

    def counts(self, since: datetime, until: datetime) -> list[NudgeCount]:
        query = (
            sa.select(nudges.c.kind, nudges.c.subject, sa.func.count())
            .where(nudges.c.at >= _utc(since), nudges.c.at < _utc(until))
            .group_by(nudges.c.kind, nudges.c.subject)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return _ranked(Counter({(r[0], r[1]): int(r[2]) for r in rows}))

    def forget(self, user: str) -> int:
        with self.write_lock, self.engine.begin() as connection:
            return connection.execute(sa.delete(nudges).where(nudges.c.user_pseudonym == user)).rowcount

    def purge(self, before: datetime) -> int:
        with self.write_lock, self.engine.begin() as connection:
            return connection.execute(sa.delete(nudges).where(nudges.c.at < _utc(before))).rowcount
