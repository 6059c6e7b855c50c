"""Conversation contexts in the query log's database (SQLite or PostgreSQL), in a table of
their own (``conversation_contexts``, created by the log's migrations), so that whichever
replica takes the next turn finds the last one. Writes share the log store's lock on SQLite.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from ..querylog.schema import conversation_contexts
from .store import Context

__all__ = ["SqlContextStore", "context_engine"]

TABLE = conversation_contexts


def context_engine(url: str) -> Engine:
    """A PostgreSQL engine of the contexts' own, on the answer's path: no liveness round trip
    before each use (a connection the server dropped fails one read or write, which the
    message is then answered without, and is replaced) and statements cut off after a second."""
    return sa.create_engine(
        url,
        pool_pre_ping=False,
        pool_size=4,
        max_overflow=12,
        pool_timeout=1,
        connect_args={"connect_timeout": 2, "options": "-c statement_timeout=1000"},
    )


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class SqlContextStore:
    def __init__(self, engine: Engine, write_lock: AbstractContextManager[Any] | None = None) -> None:
        """``write_lock``: the log store's, when both write to one SQLite file."""
        self.engine = engine
        if write_lock is None:
            write_lock = threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()
        self.write_lock = write_lock
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        self._insert = dialect.insert

    def recall(self, conversation: str, since: datetime) -> Context | None:
        query = sa.select(TABLE).where(TABLE.c.key == conversation, TABLE.c.updated_at >= since)
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        if row is None:
            return None
        return Context(
            topic=row["topic"],
            at=_utc(row["updated_at"]),
            network=row["network"],
            app=row["app"],
            lang=row["lang"],
            user=row["user_pseudonym"],
        )

    def keep(self, conversation: str, context: Context) -> None:
        values = {
            "topic": context.topic,
            "network": context.network,
            "app": context.app,
            "lang": context.lang,
            "user_pseudonym": context.user,
            "updated_at": context.at,
        }
        statement = self._insert(TABLE).values(key=conversation, **values)
        statement = statement.on_conflict_do_update(index_elements=[TABLE.c.key], set_=values)
        with self.write_lock, self.engine.begin() as connection:
            connection.execute(statement)

    def forget(self, user: str) -> int:
        with self.write_lock, self.engine.begin() as connection:
            return connection.execute(sa.delete(TABLE).where(TABLE.c.user_pseudonym == user)).rowcount

    def purge(self, before: datetime) -> int:
        with self.write_lock, self.engine.begin() as connection:
            return connection.execute(sa.delete(TABLE).where(TABLE.c.updated_at < before)).rowcount
