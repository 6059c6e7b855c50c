"""Where a conversation's context is kept between turns: the port and its in-memory twin.

A context is what the next message may lean on: the topic last answered and the network or
app it was about. It is keyed by a pseudonym of the conversation, carries the pseudonym of the
person who set it (so erasure finds it) and is read only while fresh: ``recall`` ignores one
set before ``since``. :class:`~bot.conversation.sql.SqlContextStore` keeps it in the query log's
database so that any replica can take the next turn; one contract test suite runs against both.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

__all__ = ["Context", "ContextStore", "MemoryContextStore"]


@dataclass(frozen=True, slots=True)
class Context:
    topic: str
    at: datetime
    network: str | None = None
    app: str | None = None
    lang: str = "en"
    user: str | None = None
    """The pseudonym of the person whose message set it."""


class ContextStore(Protocol):
    def recall(self, conversation: str, since: datetime) -> Context | None:
        """The conversation's context if it was set at or after ``since``."""
        ...

    def keep(self, conversation: str, context: Context) -> None:
        """Set the conversation's context, replacing what it had."""
        ...

    def forget(self, user: str) -> int:
        """Remove every context a person set; how many."""
        ...

    def purge(self, before: datetime) -> int:
        """Remove the contexts set before ``before``; how many."""
        ...


@dataclass
class MemoryContextStore:
    """The in-memory twin: same semantics as the SQL store, nothing persisted."""

    _kept: dict[str, Context] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def recall(self, conversation: str, since: datetime) -> Context | None:
        context = self._kept.get(conversation)
        return context if context is not None and context.at >= since else None

    def keep(self, conversation: str, context: Context) -> None:
        with self._lock:
            self._kept[conversation] = context

    def forget(self, user: str) -> int:
        with self._lock:
            doomed = [k for k, c in self._kept.items() if c.user == user]
            for key in doomed:
                del self._kept[key]
            return len(doomed)

    def purge(self, before: datetime) -> int:
        with self._lock:
            doomed = [k for k, c in self._kept.items() if c.at < before]
            for key in doomed:
                del self._kept[key]
            return len(doomed)
