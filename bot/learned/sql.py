"""Learned examples and entries in the query log's database (SQLite or PostgreSQL), one table
(``learned``, created by the log's migrations). Writes share the log store's lock on SQLite.

Each row has a unique key (an example's topic and text, an entry's topic id): the insert does
nothing when the key is there, and the row is then read by its key, so two owners adding the
same thing on two replicas store it once. A withdrawn row stays, with who withdrew it and when,
and gives its key up for one of its own id, so the same can be taught again. Rows are never
deleted and a withdrawal is never undone, so the highest id plus the count withdrawn is a
version stamp that moves with every change: a replica polls it.
"""

from __future__ import annotations

import hashlib
import threading
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from .records import Entry, Example, Learned, Withdrawal, example_key
from .schema import learned

__all__ = ["SqlLearnedStore"]

L = learned.c


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time kept is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _audit(r: Any) -> dict[str, Any]:
    withdrawn = None if r["withdrawn_at"] is None else Withdrawal(r["withdrawn_by"], _utc(r["withdrawn_at"]))
    return {
        "topic": r["topic"],
        "by": r["by"],
        "at": _utc(r["at"]),
        "ticket": r["ticket"],
        "id": r["id"],
        "withdrawn": withdrawn,
    }


def _example(r: Any) -> Example:
    return Example(text=r["text"], lang=r["lang"], **_audit(r))


def _entry(r: Any) -> Entry:
    return Entry.from_document(r["document"], **_audit(r))


class SqlLearnedStore:
    def __init__(self, engine: Engine, write_lock: AbstractContextManager[Any] | None = None) -> None:
        """``write_lock``: the log store's, when both write to one SQLite file."""
        self.engine = engine
        if write_lock is None:
            write_lock = threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()
        self._write_lock = write_lock

    def _writing(self) -> AbstractContextManager[Any]:
        return self._write_lock

    def _insert(self, key: str, row: dict[str, Any]) -> tuple[Any, bool]:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        values = row | {"key": _hash(key), "at": row["at"].astimezone(UTC)}
        statement = dialect.insert(learned).values(**values).on_conflict_do_nothing(index_elements=["key"])
        with self._writing(), self.engine.begin() as conn:
            made = conn.execute(statement.returning(L.id)).first() is not None
            stored = conn.execute(sa.select(learned).where(L.key == values["key"])).mappings().one()
        return stored, made

    def add_example(self, example: Example) -> tuple[Example, bool]:
        row = {
            "kind": "example",
            "topic": example.topic,
            "lang": example.lang,
            "text": example.text,
            "by": example.by,
            "at": example.at,
            "ticket": example.ticket,
        }
        stored, made = self._insert("example\n" + example_key(example.topic, example.text), row)
        return _example(stored), made

    def publish(self, entry: Entry) -> tuple[Entry, bool]:
        row = {
            "kind": "entry",
            "topic": entry.topic,
            "document": entry.document(),
            "by": entry.by,
            "at": entry.at,
            "ticket": entry.ticket,
        }
        stored, made = self._insert("entry\n" + entry.topic, row)
        return _entry(stored), made

    def withdraw(self, item_id: int, by: str, at: datetime) -> tuple[Example | Entry, bool] | None:
        change = (
            sa.update(learned)
            .where(L.id == item_id, L.withdrawn_at.is_(None))
            .values(withdrawn_by=by, withdrawn_at=at.astimezone(UTC), key=_hash(f"withdrawn\n{item_id}"))
        )
        with self._writing(), self.engine.begin() as conn:
            made = conn.execute(change).rowcount == 1
            row = conn.execute(sa.select(learned).where(L.id == item_id)).mappings().first()
        if row is None:
            return None
        return (_example(row) if row["kind"] == "example" else _entry(row)), made

    def learned(self, *, with_withdrawn: bool = False) -> Learned:
        query = sa.select(learned).order_by(L.id)
        if not with_withdrawn:
            query = query.where(L.withdrawn_at.is_(None))
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return Learned(
            tuple(_example(r) for r in rows if r["kind"] == "example"),
            tuple(_entry(r) for r in rows if r["kind"] == "entry"),
        )

    def stamp(self) -> int:
        stamp = sa.func.coalesce(sa.func.max(L.id), 0) + sa.func.count(L.withdrawn_at)
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(stamp)).scalar_one())
