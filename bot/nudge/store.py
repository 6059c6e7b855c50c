"""Where the nudge keeps what it must remember: which channels opted in, and who was nudged
about which kind of link on which day (one nudge per person, kind of link and day, however
many replicas see the message). Ids arrive pseudonymous; a link itself is never kept.
:class:`MemoryNudgeStore` is the in-memory twin of :class:`~bot.nudge.sql.SqlNudgeStore`; one
contract test suite runs against both.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

__all__ = ["MemoryNudgeStore", "NudgeCount", "NudgeStore"]


@dataclass(frozen=True, slots=True)
class NudgeCount:
    kind: str
    subject: str
    count: int


class NudgeStore(Protocol):
    def is_on(self, workspace: str, conversation: str) -> bool: ...

    def turn(self, workspace: str, conversation: str, on: bool, at: datetime) -> None: ...

    def take(self, user: str, kind: str, subject: str, at: datetime) -> bool:
        """Record a nudge about a ``kind`` of link; False (nothing recorded) when ``user`` has
        had one about that kind on ``at``'s day already."""
        ...

    def counts(self, since: datetime, until: datetime) -> list[NudgeCount]:
        """Nudges by kind of link and network or app, most first."""
        ...

    def forget(self, user: str) -> int: ...

    def purge(self, before: datetime) -> int:
        """Forget the nudges sent before ``before`` (opt-ins stay)."""
        ...


def _ranked(counter: Counter[tuple[str, str]]) -> list[NudgeCount]:
    return [NudgeCount(k, s, n) for (k, s), n in sorted(counter.items(), key=lambda i: (-i[1], i[0]))]


@dataclass
class MemoryNudgeStore:
    _on: set[tuple[str, str]] = field(default_factory=set)
    _taken: dict[tuple[date, str, str], tuple[str, datetime]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def is_on(self, workspace: str, conversation: str) -> bool:
        return (workspace, conversation) in self._on

    def turn(self, workspace: str, conversation: str, on: bool, at: datetime) -> None:
        with self._lock:
            (self._on.add if on else self._on.discard)((workspace, conversation))

    def take(self, user: str, kind: str, subject: str, at: datetime) -> bool:
        key = (at.date(), user, kind)
        with self._lock:
            if key in self._taken:
                return False
            self._taken[key] = (subject, at)
            return True

    def counts(self, since: datetime, until: datetime) -> list[NudgeCount]:
        counter: Counter[tuple[str, str]] = Counter()
        for (_, _, kind), (subject, at) in list(self._taken.items()):
            if since <= at < until:
                counter[(kind, subject)] += 1
        return _ranked(counter)

    def forget(self, user: str) -> int:
        return self._drop(lambda key, at: key[1] == user)

    def purge(self, before: datetime) -> int:
        return self._drop(lambda key, at: at < before)

    def _drop(self, picked: Callable[[tuple[date, str, str], datetime], bool]) -> int:
        with self._lock:
            gone = [key for key, (_, at) in self._taken.items() if picked(key, at)]
            for key in gone:
                del self._taken[key]
        return len(gone)
