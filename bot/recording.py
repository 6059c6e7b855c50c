"""Builds log records from questions and answers: ids pseudonymized, text redacted, before
anything leaves the core. Submitting never blocks and never fails an answer."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from .answer import Answer
from .pseudonyms import Pseudonymizer
from .query import Query
from .querylog import ChecklistRecord, FeedbackRecord, LogRecord, QuestionRecord
from .redaction import redact
from .text import clean, detect_lang

__all__ = ["Recorder", "Sink"]

log = logging.getLogger(__name__)
MAX_STORED_CHARS = 2000
RUNNERS_UP = 5


class Sink(Protocol):
    def submit(self, record: LogRecord) -> None: ...


def _now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


class Recorder:
    def __init__(self, sink: Sink, pseudonyms: Pseudonymizer, clock: Callable[[], datetime] = _now) -> None:
        self.sink = sink
        self.pseudonyms = pseudonyms
        self.clock = clock

    def _submit(self, record: LogRecord) -> None:
        try:
            self.sink.submit(record)
        except Exception:  # noqa: BLE001 - the log must never fail an answer
            log.exception("could not queue log record %s", record.id)

    def answered(self, query: Query, answer: Answer) -> None:
        """Record what was asked: a question, a "did you mean" pick, or a finished checklist."""
        user = self.pseudonyms("user", query.user_id)
        if query.checklist is not None and query.ticked is not None and answer.checklist:
            total = len(answer.done) + len(answer.missed)
            self._submit(
                ChecklistRecord(
                    id=answer.id,
                    at=self.clock(),
                    channel=query.channel,
                    checklist=answer.checklist.id,
                    total=total,
                    missed=tuple(i.id for i in answer.missed),
                    user=user,
                )
            )
            return
        if query.reply_to and query.topic:
            self.feedback(query.reply_to, query.channel, query.user_id, picked=query.topic)
            return
        self._submit(
            QuestionRecord(
                id=answer.id,
                asked_at=self.clock(),
                channel=query.channel,
                text=redact(answer.question[:MAX_STORED_CHARS]),
                lang=answer.lang,
                outcome=answer.outcome.value,
                confidence=round(answer.confidence, 4),
                latency_ms=round(answer.latency_ms, 3),
                workspace=self.pseudonyms("workspace", query.workspace_id),
                user=user,
                conversation=self.pseudonyms("conversation", query.conversation_id),
                delivery_id=self.pseudonyms("delivery", query.delivery_id),
                topic=answer.topic,
                verdict=answer.verdict.value if answer.verdict else None,
                runners_up=tuple((c.topic, round(c.score, 4)) for c in answer.candidates[:RUNNERS_UP]),
            )
        )

    def failed(self, query: Query) -> None:
        """A question whose answer failed: logged with outcome ``error`` so it is not lost."""
        self._submit(
            QuestionRecord(
                id=new_id(),
                asked_at=self.clock(),
                channel=query.channel,
                text=redact(clean(query.text)[:MAX_STORED_CHARS]),
                lang=query.lang or detect_lang(query.text),
                outcome="error",
                confidence=0.0,
                latency_ms=0.0,
                workspace=self.pseudonyms("workspace", query.workspace_id),
                user=self.pseudonyms("user", query.user_id),
                conversation=self.pseudonyms("conversation", query.conversation_id),
                delivery_id=self.pseudonyms("delivery", query.delivery_id),
            )
        )

    def feedback(
        self,
        question_id: str,
        channel: str,
        user_id: str | None = None,
        *,
        helpful: bool | None = None,
        comment: str | None = None,
        picked: str | None = None,
    ) -> str:
        record = FeedbackRecord(
            id=new_id(),
            question_id=question_id,
            at=self.clock(),
            channel=channel,
            user=self.pseudonyms("user", user_id),
            helpful=helpful,
            comment=redact(comment[:MAX_STORED_CHARS]) if comment else None,
            picked=picked,
        )
        self._submit(record)
        return record.id
