"""Tickets in the query log's database (SQLite or PostgreSQL), in a table of their own
(``tickets``, created by the log's migrations). Writes share the log store's lock on SQLite.

One ticket per key: the insert does nothing when the key is there already, and the ticket is
then read by its key, so two replicas handling the same click at the same moment both return
the one ticket. A change is an update guarded by the version it was computed from.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from .records import Contact, Draft, Event, Ticket, TicketFilter
from .schema import digests, tickets

__all__ = ["SqlDigestLedger", "SqlTicketStore"]

T = tickets.c
DONE = sa.case((T.status.in_(("answered", "closed")), 1), else_=0)
ORDER = (sa.case((T.urgent, 0), else_=1), DONE, T.opened_at, T.number)


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time kept is UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _ticket(r: Any) -> Ticket:
    return Ticket(
        number=r["number"],
        key=r["key"],
        opened_at=_utc(r["opened_at"]),  # type: ignore[arg-type]
        channel=r["channel"],
        question=r["question"],
        lang=r["lang"],
        status=r["status"],
        user=r["user_pseudonym"],
        note=r["note"],
        topic=r["topic"],
        urgent=bool(r["urgent"]),
        question_id=r["question_id"],
        contact=Contact.from_dict(r["contact"]) if r["contact"] else None,
        assignee=r["assignee"],
        answer=r["answer"],
        answer_lang=r["answer_lang"],
        first_response_at=_utc(r["first_response_at"]),
        answered_at=_utc(r["answered_at"]),
        closed_at=_utc(r["closed_at"]),
        history=tuple(Event.from_dict(e) for e in r["history"]),
        version=r["version"],
        cards=r["cards"] or {},
    )


def _changes(ticket: Ticket) -> dict[str, Any]:
    return {
        "status": ticket.status,
        "assignee": ticket.assignee,
        "answer": ticket.answer,
        "answer_lang": ticket.answer_lang,
        "first_response_at": ticket.first_response_at,
        "answered_at": ticket.answered_at,
        "closed_at": ticket.closed_at,
        "contact": ticket.contact.to_dict() if ticket.contact else None,
        "history": [e.to_dict() for e in ticket.history],
        "version": ticket.version,
        "cards": {k: dict(v) for k, v in ticket.cards.items()},
    }


class SqlTicketStore:
    def __init__(self, engine: Engine, write_lock: AbstractContextManager[Any] | None = None) -> None:
        """``write_lock``: the log store's, when both write to one SQLite file."""
        self.engine = engine
        if write_lock is None:
            write_lock = threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()
        self.write_lock = write_lock

    def _insert(self) -> Any:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(tickets).on_conflict_do_nothing(index_elements=["key"])

    def create(self, draft: Draft, at: datetime) -> tuple[Ticket, bool]:
        row = {
            "key": draft.key,
            "opened_at": at,
            "channel": draft.channel,
            "user_pseudonym": draft.user,
            "lang": draft.lang,
            "question": draft.question,
            "note": draft.note,
            "topic": draft.topic,
            "urgent": draft.urgent,
            "question_id": draft.question_id,
            "status": "open",
            "contact": draft.contact.to_dict() if draft.contact else None,
            "history": [Event(at, "opened", "asker").to_dict()],
            "version": 1,
            "cards": {},
        }
        with self.write_lock, self.engine.begin() as connection:
            made = connection.execute(self._insert().values(**row).returning(T.number)).first()
            found = connection.execute(sa.select(tickets).where(T.key == draft.key)).mappings().one()
        return _ticket(found), made is not None

    def get(self, number: int) -> Ticket | None:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(tickets).where(T.number == number)).mappings().first()
        return None if row is None else _ticket(row)

    def by_key(self, key: str) -> Ticket | None:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(tickets).where(T.key == key)).mappings().first()
        return None if row is None else _ticket(row)

    def list(self, where: TicketFilter) -> list[Ticket]:
        query = sa.select(tickets)
        if where.statuses:
            query = query.where(T.status.in_(sorted(where.statuses)))
        if where.topic is not None:
            query = query.where(T.topic == where.topic)
        if where.opened_before is not None:
            query = query.where(T.opened_at < where.opened_before)
        if where.opened_after is not None:
            query = query.where(T.opened_at >= where.opened_after)
        if where.closed_after is not None:
            query = query.where(T.closed_at >= where.closed_after)
        if where.user is not None:
            query = query.where(T.user_pseudonym == where.user)
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(*ORDER).limit(where.limit)).mappings()
            return [_ticket(r) for r in rows]

    def replace(self, ticket: Ticket) -> bool:
        guard = sa.and_(T.number == ticket.number, T.version == ticket.version - 1)
        with self.write_lock, self.engine.begin() as connection:
            done = connection.execute(sa.update(tickets).where(guard).values(**_changes(ticket))).rowcount
        return bool(done == 1)

    def erase_contacts(self, closed_before: datetime) -> int:
        old = sa.and_(T.contact.is_not(None), T.closed_at < closed_before)
        with self.write_lock, self.engine.begin() as connection:
            done = connection.execute(
                sa.update(tickets).where(old).values(contact=sa.null(), version=T.version + 1)
            ).rowcount
        return int(done)

    def forget(self, user: str) -> int:
        with self.write_lock, self.engine.begin() as connection:
            return int(connection.execute(sa.delete(tickets).where(T.user_pseudonym == user)).rowcount)

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(T.status, sa.func.count()).group_by(T.status))
            return {status: count for status, count in rows}


class SqlDigestLedger:
    """The weeks whose digest was sent, in ``ticket_digests``: the insert decides between replicas."""

    def __init__(self, engine: Engine, write_lock: AbstractContextManager[Any] | None = None) -> None:
        self.engine = engine
        self.write_lock = write_lock or nullcontext()

    def claim(self, week: str, at: datetime) -> bool:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(digests).values(week=week, sent_at=at).on_conflict_do_nothing()
        with self.write_lock, self.engine.begin() as connection:
            return connection.execute(insert.returning(digests.c.week)).first() is not None

    def release(self, week: str) -> None:
        with self.write_lock, self.engine.begin() as connection:
            connection.execute(sa.delete(digests).where(digests.c.week == week))
