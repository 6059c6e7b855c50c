"""The policy owner's weekly digest: what was asked, how it went, the tickets still open and the
top unanswered questions; sent once a week to each platform's owners' channel by one replica.

Which week has been sent where is kept in the database (:class:`DigestLedger`): the replica that
records the platform's week first sends it; if sending fails it gives the week back for the next
try (the adapters' :class:`adapters.digest.DigestLoop` does that, and renders and posts it).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Protocol
from urllib.parse import urlencode

from ..querylog.records import QueryLog
from ..querylog.report import Cluster, build_report
from .records import Ticket, TicketFilter, TicketStore

__all__ = [
    "Digest",
    "DigestLedger",
    "MemoryDigestLedger",
    "build_digest",
    "due_week",
    "ledger_key",
    "waited",
]

TOP_CLUSTERS = 3
# The ledger's key holds ten characters (``ticket_digests.week``). Slack's is the bare week, as
# recorded before any other platform had a digest; every other platform adds its own mark.
LEDGER_MARKS = {"slack": "", "teams": ":T"}


@dataclass(frozen=True)
class Digest:
    week: str
    since: datetime
    until: datetime
    questions: int
    outcomes: dict[str, int]
    not_helpful: int
    open_tickets: list[Ticket]
    clusters: list[Cluster]

    def oldest_open(self) -> timedelta | None:
        return max((self.until - t.opened_at for t in self.open_tickets), default=None)

    def urgent(self) -> int:
        return sum(t.urgent for t in self.open_tickets)

    def admin_url(self, public_url: str) -> str | None:
        """The dashboard's unanswered questions over the digest's days; None without a public URL."""
        if not public_url:
            return None
        period = urlencode({"since": self.since.date().isoformat(), "until": self.until.date().isoformat()})
        return f"{public_url.rstrip('/')}/admin?{period}#unanswered"


def waited(age: timedelta) -> str:
    """How long a ticket has waited: hours, or days from two days on."""
    hours = int(age.total_seconds() // 3600)
    return f"{hours // 24} d" if hours >= 48 else f"{hours} h"


class DigestLedger(Protocol):
    def claim(self, week: str, at: datetime) -> bool:
        """True for the first caller for ``week``, on any replica."""
        ...

    def release(self, week: str) -> None:
        """Give the week back (sending it failed)."""
        ...


@dataclass
class MemoryDigestLedger:
    weeks: dict[str, datetime] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def claim(self, week: str, at: datetime) -> bool:
        with self._lock:
            if week in self.weeks:
                return False
            self.weeks[week] = at
            return True

    def release(self, week: str) -> None:
        with self._lock:
            self.weeks.pop(week, None)


def ledger_key(platform: str, week: str) -> str:
    """What ``platform``'s digest for ``week`` is recorded as: ``2026-W48`` for Slack,
    ``2026-W48:T`` for Teams."""
    return week + LEDGER_MARKS[platform]


def due_week(now: datetime, weekday: int, hour: int) -> str | None:
    """The ISO week (``2026-W48``) whose digest is due at ``now``: from ``weekday`` (0 is
    Monday) at ``hour`` UTC until the week ends; None before that."""
    now = now.astimezone(UTC)
    monday = (now - timedelta(days=now.weekday())).date()
    send_at = datetime.combine(monday + timedelta(days=weekday), time(hour), tzinfo=UTC)
    if now < send_at:
        return None
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


def build_digest(log: QueryLog, tickets: TicketStore, week: str, now: datetime) -> Digest:
    """The seven days before ``now``."""
    since = now - timedelta(days=7)
    report = build_report(log, since, now)
    not_helpful = sum(t["rated"] - t["helpful"] for t in report.topics)
    unfinished = tickets.list(TicketFilter(statuses=frozenset({"open", "assigned"}), limit=1000))
    return Digest(
        week=week,
        since=since,
        until=now,
        questions=report.questions,
        outcomes=dict(report.outcomes),
        not_helpful=not_helpful,
        open_tickets=unfinished,
        clusters=sorted(report.clusters, key=lambda c: -c.count)[:TOP_CLUSTERS],
    )
