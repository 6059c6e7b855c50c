"""The in-memory twin of the SQL ticket store: the same semantics, nothing persisted."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime

from .records import Draft, Event, Ticket, TicketFilter, matches, sort_key

__all__ = ["MemoryTicketStore"]


@dataclass
class MemoryTicketStore:
    _tickets: dict[int, Ticket] = field(default_factory=dict)
    _keys: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _last: int = 0

    def create(self, draft: Draft, at: datetime) -> tuple[Ticket, bool]:
        with self._lock:
            if draft.key in self._keys:
                return self._tickets[self._keys[draft.key]], False
            self._last += 1
            number = self._last
            ticket = Ticket(
                number=number,
                key=draft.key,
                opened_at=at,
                channel=draft.channel,
                question=draft.question,
                lang=draft.lang,
                user=draft.user,
                note=draft.note,
                topic=draft.topic,
                urgent=draft.urgent,
                question_id=draft.question_id,
                contact=draft.contact,
                history=(Event(at, "opened", "asker"),),
            )
            self._tickets[number] = ticket
            self._keys[draft.key] = number
            return ticket, True

    def get(self, number: int) -> Ticket | None:
        with self._lock:
            return self._tickets.get(number)

    def by_key(self, key: str) -> Ticket | None:
        with self._lock:
            number = self._keys.get(key)
            return None if number is None else self._tickets[number]

    def list(self, where: TicketFilter) -> list[Ticket]:
        with self._lock:
            found = [t for t in self._tickets.values() if matches(t, where)]
        return sorted(found, key=sort_key)[: where.limit]

    def replace(self, ticket: Ticket) -> bool:
        with self._lock:
            stored = self._tickets.get(ticket.number)
            if stored is None or stored.version != ticket.version - 1:
                return False
            self._tickets[ticket.number] = ticket
            return True

    def erase_contacts(self, closed_before: datetime) -> int:
        with self._lock:
            old = [
                t
                for t in self._tickets.values()
                if t.contact is not None and t.closed_at is not None and t.closed_at < closed_before
            ]
            for ticket in old:
                self._tickets[ticket.number] = replace(ticket, contact=None, version=ticket.version + 1)
            return len(old)

    def forget(self, user: str) -> int:
        with self._lock:
            gone = [t for t in self._tickets.values() if t.user == user]
            for ticket in gone:
                del self._tickets[ticket.number]
                del self._keys[ticket.key]
            return len(gone)

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(Counter(t.status for t in self._tickets.values()))
