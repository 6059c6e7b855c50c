"""Builds log records from questions and answers: ids pseudonymized, text redacted, before
anything leaves the core. Submitting never blocks and never fails an answer.

Every free-text field is redacted and then cut to its length limit; ids that come back from a
client (the answer a feedback is about, the option picked) must look like the ids the advisor
hands out, or they are not stored. Feedback has one id per answer, person and kind (a rating,
a comment, a pick), so a replayed button click or fifty identical posts store one row.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Callable, Collection
from datetime import UTC, datetime
from typing import Protocol

from ..answer import Answer
from ..encoding import repair
from ..query import Query
from ..text import clean, detect_lang
from .pseudonyms import Pseudonymizer
from .records import ChecklistRecord, FeedbackRecord, LogRecord, QuestionRecord
from .redaction import redact

__all__ = ["Recorder", "Sink"]

log = logging.getLogger(__name__)
MAX_STORED_CHARS = 2000
RUNNERS_UP = 5
ANSWER_ID = re.compile(r"[0-9a-f]{32}")
TOPIC_ID = re.compile(r"[a-z][a-z0-9-]{0,99}")
NONE_OF_THESE = "none"


class Sink(Protocol):
    def submit(self, record: LogRecord) -> None: ...


def _now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


def feedback_id(question_id: str, user: str | None, kind: str) -> str:
    """The same for every feedback of one kind by one person on one answer."""
    return hashlib.sha256(f"{question_id}:{user or ''}:{kind}".encode()).hexdigest()[:32]


class Recorder:
    def __init__(
        self,
        sink: Sink,
        pseudonyms: Pseudonymizer,
        clock: Callable[[], datetime] = _now,
        topics: Collection[str] | None = None,
    ) -> None:
        """``topics``: the topic ids a "did you mean" pick may name (None: any topic-like id)."""
        self.sink = sink
        self.pseudonyms = pseudonyms
        self.clock = clock
        self.topics = topics

    def _is_pick(self, picked: str) -> bool:
        if picked == NONE_OF_THESE:
            return True
        return TOPIC_ID.fullmatch(picked) is not None and (self.topics is None or picked in self.topics)

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
                # The question as asked: an answer may hold only its start (a question too long).
                text=redact(clean(query.text) or answer.question, MAX_STORED_CHARS),
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
                context=answer.context,
            )
        )

    def failed(self, query: Query) -> None:
        """A question whose answer failed: logged with outcome ``error`` so it is not lost."""
        self._submit(
            QuestionRecord(
                id=new_id(),
                asked_at=self.clock(),
                channel=query.channel,
                text=redact(clean(query.text), MAX_STORED_CHARS),
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
    ) -> str | None:
        """Record feedback on an answer; its id, or None when nothing of it can be stored (the
        answer id is not one, and no rating, comment or offered option is left)."""
        if ANSWER_ID.fullmatch(question_id) is None:
            log.warning("feedback on something that is not an answer id: not stored")
            return None
        picked = picked if picked is not None and self._is_pick(picked) else None
        comment = redact(repair(comment), MAX_STORED_CHARS) if comment else None
        if helpful is None and picked is None and not comment:
            return None
        user = self.pseudonyms("user", repair(user_id) if user_id else None)
        kind = "pick" if picked is not None else "rating" if helpful is not None else "comment"
        record = FeedbackRecord(
            id=feedback_id(question_id, user, kind),
            question_id=question_id,
            at=self.clock(),
            channel=channel,
            user=user,
            helpful=helpful,
            comment=comment,
            picked=picked,
        )
        self._submit(record)
        return record.id
