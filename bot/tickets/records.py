"""Tickets: questions put to the policy owner, with who did what to them and when.

A :class:`Ticket` holds the question as the asker confirmed it, the owner's answer, its
:class:`Event` history and, while it matters, the :class:`Contact` needed to reach the asker
back. The :class:`TicketStore` port keeps them; :class:`~bot.tickets.memory.MemoryTicketStore` is
the in-memory twin of :class:`~bot.tickets.sql.SqlTicketStore`, and one contract test suite runs
against both. Changes are compare-and-set on ``version``, so two replicas acting on one ticket at
once never lose either change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

__all__ = [
    "STATUSES",
    "UNFINISHED",
    "Contact",
    "Draft",
    "Event",
    "Status",
    "Ticket",
    "TicketFilter",
    "TicketStore",
    "matches",
    "sort_key",
]

Status = Literal["open", "assigned", "answered", "closed"]
STATUSES: tuple[Status, ...] = ("open", "assigned", "answered", "closed")
# Tickets still waiting for something: their cards are kept up to date.
UNFINISHED = frozenset({"open", "assigned", "answered"})


@dataclass(frozen=True, slots=True)
class Contact:
    """Where the asker is reached back: the platform's own user and conversation ids (and the
    thread, where there is one), and the name they confirmed the owner would see."""

    platform: str
    user: str
    conversation: str | None = None
    thread: str | None = None
    name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "user": self.user,
            "conversation": self.conversation,
            "thread": self.thread,
            "name": self.name,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Contact:
        return cls(
            platform=str(data["platform"]),
            user=str(data["user"]),
            conversation=data.get("conversation"),
            thread=data.get("thread"),
            name=data.get("name"),
        )


@dataclass(frozen=True, slots=True)
class Event:
    """One step in a ticket's life: ``opened``, ``assigned``, ``answered``, ``closed`` or
    ``reopened``, by whom (an owner's name, ``asker`` or ``dashboard``) and when."""

    at: datetime
    action: str
    by: str

    def to_dict(self) -> dict[str, str]:
        return {"at": self.at.isoformat(), "action": self.action, "by": self.by}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Event:
        return cls(datetime.fromisoformat(data["at"]), data["action"], data["by"])


@dataclass(frozen=True, slots=True)
class Draft:
    """What the asker confirmed, before it is a ticket. ``key`` makes one ticket of one click:
    a retried or doubled request, on any replica, carries the same key and finds the same
    ticket. ``user`` is the asker's pseudonym."""

    key: str
    channel: str
    question: str
    lang: str
    user: str | None = None
    note: str | None = None
    topic: str | None = None
    urgent: bool = False
    question_id: str | None = None
    contact: Contact | None = None


@dataclass(frozen=True, slots=True)
class Ticket:
    number: int
    key: str
    opened_at: datetime
    channel: str
    question: str
    lang: str
    status: Status = "open"
    user: str | None = None
    note: str | None = None
    topic: str | None = None
    urgent: bool = False
    question_id: str | None = None
    contact: Contact | None = None
    assignee: str | None = None
    answer: str | None = None
    answer_lang: str | None = None
    first_response_at: datetime | None = None
    answered_at: datetime | None = None
    closed_at: datetime | None = None
    history: tuple[Event, ...] = ()
    version: int = 1
    cards: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Where each platform's card for the owner is, to update it in place (``{"slack":
    {"channel": ..., "ts": ..., "seen": "3"}}``); a platform missing has not received it yet, and
    one with ``pending`` is being posted by the replica named there until ``until``. ``seen``
    and the ``asker`` entry's ``told`` say how far the card and the asker follow the history
    (:mod:`bot.tickets.marks`)."""

    @property
    def first_response(self) -> timedelta | None:
        """How long the asker waited for an owner to act on it (assign, answer or close)."""
        return None if self.first_response_at is None else self.first_response_at - self.opened_at

    @property
    def time_to_answer(self) -> timedelta | None:
        return None if self.answered_at is None else self.answered_at - self.opened_at

    def age(self, now: datetime) -> timedelta:
        return now - self.opened_at

    def to_dict(self, contact: bool = False) -> dict[str, Any]:
        """The ticket as JSON; the asker's platform ids only with ``contact`` (their name is
        always there: they agreed the owner would see it)."""

        def when(value: datetime | None) -> str | None:
            return None if value is None else value.isoformat()

        def seconds(value: timedelta | None) -> float | None:
            return None if value is None else round(value.total_seconds(), 1)

        data: dict[str, Any] = {
            "number": self.number,
            "opened_at": when(self.opened_at),
            "channel": self.channel,
            "status": self.status,
            "urgent": self.urgent,
            "lang": self.lang,
            "topic": self.topic,
            "question": self.question,
            "note": self.note,
            "name": self.contact.name if self.contact else None,
            "assignee": self.assignee,
            "answer": self.answer,
            "answer_lang": self.answer_lang,
            "first_response_at": when(self.first_response_at),
            "answered_at": when(self.answered_at),
            "closed_at": when(self.closed_at),
            "first_response_seconds": seconds(self.first_response),
            "answer_seconds": seconds(self.time_to_answer),
            "history": [e.to_dict() for e in self.history],
            "delivered_to": sorted(p for p, where in self.cards.items() if "ts" in where),
        }
        if contact:
            data["contact"] = self.contact.to_dict() if self.contact else None
        return data


@dataclass(frozen=True, slots=True)
class TicketFilter:
    """Which tickets to list: by status, topic, and opened before ``opened_before`` (age)."""

    statuses: frozenset[str] = frozenset()
    topic: str | None = None
    opened_before: datetime | None = None
    opened_after: datetime | None = None
    closed_after: datetime | None = None
    user: str | None = None
    limit: int = 200


class TicketStore(Protocol):
    """Where tickets live. Urgent tickets list first, then the oldest."""

    def create(self, draft: Draft, at: datetime) -> tuple[Ticket, bool]:
        """The ticket for ``draft.key``: made now (True), or the one an earlier call with the
        same key made (False)."""
        ...

    def get(self, number: int) -> Ticket | None: ...

    def by_key(self, key: str) -> Ticket | None: ...

    def list(self, where: TicketFilter) -> list[Ticket]: ...

    def replace(self, ticket: Ticket) -> bool:
        """Store ``ticket`` if the stored one still has version ``ticket.version - 1``; False
        when another change came first (the caller reads it again and decides)."""
        ...

    def erase_contacts(self, closed_before: datetime) -> int:
        """Forget how to reach the askers of tickets closed before then; how many were."""
        ...

    def forget(self, user: str) -> int:
        """Delete every ticket of one asker (by pseudonym); how many there were."""
        ...

    def counts(self) -> dict[str, int]:
        """Tickets per status."""
        ...


def sort_key(ticket: Ticket) -> tuple[bool, bool, datetime, int]:
    """Urgent first, then unfinished before answered and closed, then the oldest."""
    return (not ticket.urgent, ticket.status in ("answered", "closed"), ticket.opened_at, ticket.number)


def matches(ticket: Ticket, where: TicketFilter) -> bool:
    return (
        (not where.statuses or ticket.status in where.statuses)
        and (where.topic is None or ticket.topic == where.topic)
        and (where.opened_before is None or ticket.opened_at < where.opened_before)
        and (where.opened_after is None or ticket.opened_at >= where.opened_after)
        and (
            where.closed_after is None
            or (ticket.closed_at is not None and ticket.closed_at >= where.closed_after)
        )
        and (where.user is None or ticket.user == where.user)
    )
