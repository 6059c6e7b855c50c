"""The query log port: what is recorded about each question, feedback and finished checklist.

Records hold pseudonyms and redacted text only; they are built by :mod:`bot.querylog.recording` before
they leave the core. :class:`MemoryQueryLog` is the in-memory twin of :class:`~bot.querylog.sql.SqlQueryLog`
used by tests and the console; one contract test suite runs against both.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

__all__ = [
    "ChecklistRecord",
    "FeedbackRecord",
    "LogRecord",
    "MemoryQueryLog",
    "QueryLog",
    "QuestionRecord",
    "Rating",
    "Tally",
]


@dataclass(frozen=True, slots=True)
class QuestionRecord:
    id: str
    asked_at: datetime
    channel: str
    text: str
    lang: str
    outcome: str
    confidence: float
    latency_ms: float
    workspace: str | None = None
    user: str | None = None
    conversation: str | None = None
    delivery_id: str | None = None
    topic: str | None = None
    verdict: str | None = None
    runners_up: tuple[tuple[str, float], ...] = ()
    context: dict[str, Any] | None = None
    """What the answer took from the conversation (a follow-up); None when it stood alone."""


@dataclass(frozen=True, slots=True)
class FeedbackRecord:
    id: str
    question_id: str
    at: datetime
    channel: str
    user: str | None = None
    helpful: bool | None = None
    comment: str | None = None
    picked: str | None = None
    """The "did you mean" option picked, or "none" for none of these."""


@dataclass(frozen=True, slots=True)
class ChecklistRecord:
    id: str
    at: datetime
    channel: str
    checklist: str
    total: int
    missed: tuple[str, ...] = ()
    user: str | None = None


LogRecord = QuestionRecord | FeedbackRecord | ChecklistRecord


@dataclass(frozen=True, slots=True)
class Tally:
    """How many questions of one day (UTC) shared a channel, outcome, language and topic."""

    day: date
    channel: str
    outcome: str
    lang: str
    topic: str | None
    count: int


@dataclass(frozen=True, slots=True)
class Rating:
    """A feedback row with the topic of the question it is about."""

    question_id: str
    user: str | None
    at: datetime
    helpful: bool | None
    picked: str | None
    topic: str | None


class QueryLog(Protocol):
    """Storage for the log. ``write`` is idempotent: a record whose id, or a question whose
    (channel, delivery id), is already stored is skipped, so retries never duplicate. (Which
    replica answers a delivery is :mod:`bot.delivery`'s business, not the log's.)"""

    def write(self, records: Sequence[LogRecord]) -> None: ...

    def questions(self, since: datetime, until: datetime) -> list[QuestionRecord]: ...

    def feedback(self, since: datetime, until: datetime) -> list[FeedbackRecord]: ...

    def checklists(self, since: datetime, until: datetime) -> list[ChecklistRecord]: ...

    def tally(self, since: datetime, until: datetime) -> list[Tally]: ...

    def unanswered(self, since: datetime, until: datetime, below: float, limit: int) -> list[QuestionRecord]:
        """The newest ``limit`` questions not answered, or answered with a confidence under
        ``below``, oldest first."""
        ...

    def ratings(self, since: datetime, until: datetime) -> list[Rating]:
        """Feedback on the questions asked in the period, whenever it was given, by time."""
        ...

    def follow_ups(self, since: datetime, until: datetime) -> int:
        """How many questions of the period were answered in their conversation's context."""
        ...

    def purge(self, before: datetime) -> int: ...

    def forget(self, user: str) -> int: ...

    def ping(self) -> bool: ...


def _between(at: datetime, since: datetime, until: datetime) -> bool:
    return since <= at < until


@dataclass
class MemoryQueryLog:
    """The in-memory twin: same semantics as the SQL store, nothing persisted."""

    _questions: dict[str, QuestionRecord] = field(default_factory=dict)
    _feedback: dict[str, FeedbackRecord] = field(default_factory=dict)
    _checklists: dict[str, ChecklistRecord] = field(default_factory=dict)
    _deliveries: set[tuple[str, str]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def write(self, records: Sequence[LogRecord]) -> None:
        with self._lock:
            for record in records:
                if isinstance(record, QuestionRecord):
                    key = (record.channel, record.delivery_id) if record.delivery_id else None
                    if record.id in self._questions or (key and key in self._deliveries):
                        continue
                    if key:
                        self._deliveries.add(key)
                    self._questions[record.id] = record
                elif isinstance(record, FeedbackRecord):
                    self._feedback.setdefault(record.id, record)
                else:
                    self._checklists.setdefault(record.id, record)

    def questions(self, since: datetime, until: datetime) -> list[QuestionRecord]:
        return sorted(
            (q for q in self._questions.values() if _between(q.asked_at, since, until)),
            key=lambda q: q.asked_at,
        )

    def feedback(self, since: datetime, until: datetime) -> list[FeedbackRecord]:
        return sorted(
            (f for f in self._feedback.values() if _between(f.at, since, until)), key=lambda f: f.at
        )

    def checklists(self, since: datetime, until: datetime) -> list[ChecklistRecord]:
        return sorted(
            (c for c in self._checklists.values() if _between(c.at, since, until)), key=lambda c: c.at
        )

    def tally(self, since: datetime, until: datetime) -> list[Tally]:
        counts = Counter(
            (q.asked_at.astimezone(UTC).date(), q.channel, q.outcome, q.lang, q.topic)
            for q in self.questions(since, until)
        )
        return [Tally(*key, count) for key, count in counts.items()]

    def unanswered(self, since: datetime, until: datetime, below: float, limit: int) -> list[QuestionRecord]:
        found = [q for q in self.questions(since, until) if q.outcome != "answered" or q.confidence < below]
        return found[-limit:] if limit else []

    def ratings(self, since: datetime, until: datetime) -> list[Rating]:
        asked = {q.id: q for q in self.questions(since, until)}
        return [
            Rating(f.question_id, f.user, f.at, f.helpful, f.picked, asked[f.question_id].topic)
            for f in sorted(self._feedback.values(), key=lambda f: f.at)
            if f.question_id in asked
        ]

    def follow_ups(self, since: datetime, until: datetime) -> int:
        return sum(q.context is not None for q in self.questions(since, until))

    def purge(self, before: datetime) -> int:
        with self._lock:
            return self._drop(lambda r: _time(r) < before)

    def forget(self, user: str) -> int:
        with self._lock:
            return self._drop(lambda r: r.user == user)

    def ping(self) -> bool:
        return True

    def _drop(self, doomed: Callable[[LogRecord], bool]) -> int:
        removed = 0
        tables: tuple[dict[str, LogRecord], ...] = (self._questions, self._feedback, self._checklists)  # type: ignore[assignment]
        for table in tables:
            for key in [k for k, r in table.items() if doomed(r)]:
                record = table.pop(key)
                if isinstance(record, QuestionRecord) and record.delivery_id:
                    self._deliveries.discard((record.channel, record.delivery_id))
                removed += 1
        return removed


def _time(record: LogRecord) -> datetime:
    return record.asked_at if isinstance(record, QuestionRecord) else record.at
