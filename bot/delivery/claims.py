"""Delivery claims: which replica answers a delivery, and what it keeps until it has.

Chat platforms redeliver, and several replicas receive the same delivery. ``claim`` is the
synchronous arbiter between them; with a :class:`Pending` it also keeps what is needed to answer
until ``release``, so that if the claimant dies another replica takes it over once the lease
ends (``take_over_lapsed``). This is coordination, not the query log: it shares the log's
database and migrations, behind an interface of its own. :class:`MemoryDeliveryClaims` is the
in-memory twin of :class:`~bot.delivery.sql.SqlDeliveryClaims`; one contract test suite runs
against both.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

__all__ = ["DeliveryClaims", "MemoryDeliveryClaims", "Pending"]


@dataclass(frozen=True, slots=True)
class Pending:
    """A delivery acknowledged and not yet answered: what is needed to answer it (``payload``,
    JSON) and until when the replica that claimed it is trusted to (``lease_until``)."""

    key: str
    channel: str
    payload: str
    lease_until: datetime


class DeliveryClaims(Protocol):
    """The lease queue replicas share. A key is won by its first claimant only."""

    def claim(self, key: str, at: datetime, pending: Pending | None = None) -> bool: ...

    def claim_many(self, items: Sequence[tuple[str, Pending | None]], at: datetime) -> list[bool]: ...

    def release(self, keys: Sequence[str]) -> None: ...

    def renew(self, keys: Sequence[str], lease_until: datetime) -> None: ...

    def take_over_lapsed(self, now: datetime, lease_until: datetime, limit: int = 50) -> list[Pending]:
        """The kept deliveries whose lease ended before ``now``, now leased to the caller until
        ``lease_until``: each goes to one caller only."""
        ...

    def purge(self, before: datetime) -> None:
        """Forget claims made, and leases that ended, before ``before``."""
        ...


@dataclass
class MemoryDeliveryClaims:
    """The in-memory twin: same semantics as the SQL claims, nothing persisted."""

    _claims: dict[str, datetime] = field(default_factory=dict)
    _pending: dict[str, Pending] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def claim(self, key: str, at: datetime, pending: Pending | None = None) -> bool:
        return self.claim_many([(key, pending)], at)[0]

    def claim_many(self, items: Sequence[tuple[str, Pending | None]], at: datetime) -> list[bool]:
        won = []
        with self._lock:
            for key, pending in items:
                first = key not in self._claims
                if first:
                    self._claims[key] = at
                    if pending is not None:
                        self._pending[key] = pending
                won.append(first)
        return won

    def release(self, keys: Sequence[str]) -> None:
        with self._lock:
            for key in keys:
                self._pending.pop(key, None)

    def renew(self, keys: Sequence[str], lease_until: datetime) -> None:
        with self._lock:
            for key in keys:
                if key in self._pending:
                    self._pending[key] = replace(self._pending[key], lease_until=lease_until)

    def take_over_lapsed(self, now: datetime, lease_until: datetime, limit: int = 50) -> list[Pending]:
        with self._lock:
            late = sorted(
                (p for p in self._pending.values() if p.lease_until < now), key=lambda p: p.lease_until
            )
            taken = [replace(p, lease_until=lease_until) for p in late[:limit]]
            self._pending.update((p.key, p) for p in taken)
            return taken

    def purge(self, before: datetime) -> None:
        with self._lock:
            for key in [k for k, at in self._claims.items() if at < before]:
                del self._claims[key]
            for key in [k for k, p in self._pending.items() if p.lease_until < before]:
                del self._pending[key]
