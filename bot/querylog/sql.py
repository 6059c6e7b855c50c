"""The query log in a SQL database through SQLAlchemy: SQLite (embedded) or PostgreSQL.

The schema is created and changed only by the alembic migrations in ``bot/querylog/migrations``;
:mod:`bot.querylog.schema` describes it for queries. Inserts ignore rows that already exist
(same id, or same channel and delivery id), so a retried batch or a redelivered message is
stored once.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from contextlib import nullcontext
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from .migrations import upgrade
from .records import ChecklistRecord, FeedbackRecord, LogRecord, QuestionRecord, Rating, Tally
from .schema import checklist_runs, feedback, questions

__all__ = ["SqlQueryLog"]

TIME_COLUMN = {questions: questions.c.asked_at, feedback: feedback.c.at, checklist_runs: checklist_runs.c.at}
USER_TABLES = tuple(TIME_COLUMN)


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time in the log is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _row(record: LogRecord) -> tuple[sa.Table, dict[str, Any]]:
    if isinstance(record, QuestionRecord):
        return questions, {
            "id": record.id,
            "asked_at": record.asked_at,
            "channel": record.channel,
            "workspace": record.workspace,
            "user_pseudonym": record.user,
            "conversation": record.conversation,
            "delivery_id": record.delivery_id,
            "text": record.text,
            "lang": record.lang,
            "topic": record.topic,
            "outcome": record.outcome,
            "confidence": record.confidence,
            "verdict": record.verdict,
            "runners_up": [[t, s] for t, s in record.runners_up],
            "latency_ms": record.latency_ms,
            "context": record.context,
        }
    if isinstance(record, FeedbackRecord):
        return feedback, {
            "id": record.id,
            "question_id": record.question_id,
            "at": record.at,
            "channel": record.channel,
            "user_pseudonym": record.user,
            "helpful": record.helpful,
            "comment": record.comment,
            "picked": record.picked,
        }
    return checklist_runs, {
        "id": record.id,
        "at": record.at,
        "channel": record.channel,
        "user_pseudonym": record.user,
        "checklist": record.checklist,
        "total": record.total,
        "missed": list(record.missed),
    }


def _question(r: Any) -> QuestionRecord:
    return QuestionRecord(
        id=r["id"],
        asked_at=_utc(r["asked_at"]),
        channel=r["channel"],
        text=r["text"],
        lang=r["lang"],
        outcome=r["outcome"],
        confidence=r["confidence"],
        latency_ms=r["latency_ms"],
        workspace=r["workspace"],
        user=r["user_pseudonym"],
        conversation=r["conversation"],
        delivery_id=r["delivery_id"],
        topic=r["topic"],
        verdict=r["verdict"],
        runners_up=tuple((t, float(s)) for t, s in r["runners_up"]),
        context=r["context"],
    )


def create_engine(url: str) -> Engine:
    """An engine with the settings the log needs: WAL and a busy timeout on SQLite, short
    connect timeouts and liveness checks on PostgreSQL."""
    if url.startswith("sqlite"):
        database = sa.engine.make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            # Owner-only from the start: SQLite gives its WAL and shared-memory files the
            # database file's permissions, and the log holds questions.
            os.close(os.open(database, os.O_RDWR | os.O_CREAT, 0o600))
        engine = sa.create_engine(url, connect_args={"timeout": 5})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL never corrupts the file; a power cut may lose the last commits.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

        return engine
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        pool_timeout=5,
        connect_args={"connect_timeout": 3, "options": "-c statement_timeout=10000"},
    )


class SqlQueryLog:
    def __init__(self, url: str, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or create_engine(url)
        # SQLite has one writer at a time and makes the others sleep and retry; taking turns
        # in-process is much faster than its busy handler. PostgreSQL needs no such thing.
        self.write_lock = threading.Lock() if self.engine.dialect.name == "sqlite" else nullcontext()

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (safe to run at every start)."""
        upgrade(self.engine)

    def _insert(self, table: sa.Table) -> sa.Insert:
        if self.engine.dialect.name == "postgresql":
            return postgresql.insert(table).on_conflict_do_nothing()
        if self.engine.dialect.name == "sqlite":
            return sqlite.insert(table).on_conflict_do_nothing()
        raise NotImplementedError(f"unsupported database {self.engine.dialect.name}")

    def write(self, records: Sequence[LogRecord]) -> None:
        grouped: dict[sa.Table, list[dict[str, Any]]] = {}
        for record in records:
            table, row = _row(record)
            grouped.setdefault(table, []).append(row)
        with self.write_lock, self.engine.begin() as connection:
            for table, rows in grouped.items():
                connection.execute(self._insert(table), rows)

    def _select(self, connection: Connection, table: sa.Table, since: datetime, until: datetime) -> list[Any]:
        column = TIME_COLUMN[table]
        query = sa.select(table).where(column >= since, column < until).order_by(column)
        return list(connection.execute(query).mappings())

    def questions(self, since: datetime, until: datetime) -> list[QuestionRecord]:
        with self.engine.connect() as connection:
            return [_question(r) for r in self._select(connection, questions, since, until)]

    def _day(self) -> sa.ColumnElement[Any]:
        """The UTC day a question was asked on, as the database computes it."""
        if self.engine.dialect.name == "sqlite":  # stored as UTC text: 'YYYY-MM-DD HH:MM:SS'
            return sa.func.substr(questions.c.asked_at, 1, 10)
        return sa.cast(sa.func.timezone("UTC", questions.c.asked_at), sa.Date)

    def tally(self, since: datetime, until: datetime) -> list[Tally]:
        """Counted by the database: the report reads a few hundred rows, not every question."""
        q = questions.c
        day = self._day().label("day")
        keys = (day, q.channel, q.outcome, q.lang, q.topic)
        query = (
            sa.select(*keys, sa.func.count().label("count"))
            .where(q.asked_at >= since, q.asked_at < until)
            .group_by(*keys)
        )
        with self.engine.connect() as connection:
            rows = list(connection.execute(query))
        return [
            Tally(d if isinstance(d, date) else date.fromisoformat(d), channel, outcome, lang, topic, count)
            for d, channel, outcome, lang, topic, count in rows
        ]

    def unanswered(self, since: datetime, until: datetime, below: float, limit: int) -> list[QuestionRecord]:
        q = questions.c
        query = (
            sa.select(questions)
            .where(
                q.asked_at >= since, q.asked_at < until, sa.or_(q.outcome != "answered", q.confidence < below)
            )
            .order_by(q.asked_at.desc())
            .limit(limit)
        )
        with self.engine.connect() as connection:
            rows = list(connection.execute(query).mappings())
        return [_question(r) for r in reversed(rows)]

    def ratings(self, since: datetime, until: datetime) -> list[Rating]:
        f, q = feedback.c, questions.c
        query = (
            sa.select(f.question_id, f.user_pseudonym, f.at, f.helpful, f.picked, q.topic)
            .join(questions, q.id == f.question_id)
            .where(q.asked_at >= since, q.asked_at < until)
            .order_by(f.at)
        )
        with self.engine.connect() as connection:
            rows = list(connection.execute(query))
        return [
            Rating(qid, user, _utc(at), helpful, picked, topic)
            for qid, user, at, helpful, picked, topic in rows
        ]

    def follow_ups(self, since: datetime, until: datetime) -> int:
        q = questions.c
        query = sa.select(sa.func.count()).where(
            q.asked_at >= since, q.asked_at < until, q.context.is_not(None)
        )
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def feedback(self, since: datetime, until: datetime) -> list[FeedbackRecord]:
        with self.engine.connect() as connection:
            rows = self._select(connection, feedback, since, until)
        return [
            FeedbackRecord(
                id=r["id"],
                question_id=r["question_id"],
                at=_utc(r["at"]),
                channel=r["channel"],
                user=r["user_pseudonym"],
                helpful=r["helpful"],
                comment=r["comment"],
                picked=r["picked"],
            )
            for r in rows
        ]

    def checklists(self, since: datetime, until: datetime) -> list[ChecklistRecord]:
        with self.engine.connect() as connection:
            rows = self._select(connection, checklist_runs, since, until)
        return [
            ChecklistRecord(
                id=r["id"],
                at=_utc(r["at"]),
                channel=r["channel"],
                checklist=r["checklist"],
                total=r["total"],
                missed=tuple(r["missed"]),
                user=r["user_pseudonym"],
            )
            for r in rows
        ]

    def purge(self, before: datetime) -> int:
        with self.write_lock, self.engine.begin() as connection:
            return sum(
                connection.execute(sa.delete(table).where(column < before)).rowcount
                for table, column in TIME_COLUMN.items()
            )

    def forget(self, user: str) -> int:
        with self.write_lock, self.engine.begin() as connection:
            return sum(
                connection.execute(sa.delete(table).where(table.c.user_pseudonym == user)).rowcount
                for table in USER_TABLES
            )

    def ping(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
            return True
        except sa.exc.SQLAlchemyError:
            return False
