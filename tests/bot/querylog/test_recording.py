from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import UTC, datetime

import pytest

from bot import Advisor, Outcome, Query
from bot.querylog.pseudonyms import Pseudonymizer
from bot.querylog.recording import Recorder
from bot.querylog.records import LogRecord, MemoryQueryLog

KEY = b"test-key-" * 4
EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
FIXED = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


class Sink:
    def __init__(self, log: MemoryQueryLog) -> None:
        self.log = log

    def submit(self, record: LogRecord) -> None:
        self.log.write([record])


@pytest.fixture
def logged(advisor: Advisor) -> tuple[Advisor, MemoryQueryLog]:
    log = MemoryQueryLog()
    recording = Advisor(
        advisor.knowledge,
        matcher=advisor.matcher,
        thresholds=advisor.thresholds,
        recorder=Recorder(Sink(log), Pseudonymizer(KEY), lambda: FIXED, topics=advisor.knowledge.topics),
    )
    return recording, log


def pseudonym(kind: str, raw: str) -> str:
    return hmac.new(KEY, f"{kind}:{raw}".encode(), hashlib.sha256).hexdigest()[:32]


def test_a_row_per_question_with_every_field(logged: tuple[Advisor, MemoryQueryLog]) -> None:
    advisor, log = logged
    answer = advisor.handle(
        Query(
            "may I install the LinkedIn app? I'm alice@example.com, +972-54-123-4567",
            channel="slack",
            user_id="U0123ABCD",
            workspace_id="T0456EFGH",
            conversation_id="C0789IJKL",
            delivery_id="Ev01ABC",
        )
    )
    [row] = log.questions(*EVER)
    assert row.id == answer.id and len(row.id) == 32
    assert row.asked_at == FIXED and row.channel == "slack" and row.lang == "en"
    assert row.text == "may I install the LinkedIn app? I'm [email], [phone]"
    assert row.user == pseudonym("user", "U0123ABCD")
    assert row.workspace == pseudonym("workspace", "T0456EFGH")
    assert row.conversation == pseudonym("conversation", "C0789IJKL")
    assert row.delivery_id == pseudonym("delivery", "Ev01ABC")
    assert (row.topic, row.outcome, row.verdict) == ("install-apps", "answered", "no")
    assert row.confidence == round(answer.confidence, 4) and row.latency_ms > 0
    assert row.runners_up[0][0] == "install-apps" and len(row.runners_up) <= 5
    assert "U0123ABCD" not in repr(row) and "T0456EFGH" not in repr(row) and "C0789IJKL" not in repr(row)


def test_declined_and_clarified_questions_are_logged_too(logged: tuple[Advisor, MemoryQueryLog]) -> None:
    advisor, log = logged
    advisor.handle(Query("what's the weather today"))
    advisor.handle(Query("facebook"))
    outcomes = [(q.outcome, q.topic) for q in log.questions(*EVER)]
    assert outcomes == [("declined", None), ("clarify", None)]


def test_a_pick_is_logged_as_feedback_on_the_question(logged: tuple[Advisor, MemoryQueryLog]) -> None:
    advisor, log = logged
    asked = advisor.handle(Query("facebook", user_id="U1"))
    assert asked.outcome is Outcome.CLARIFY
    picked = advisor.handle(Query("2", topic=asked.options[1].id, reply_to=asked.id, user_id="U1"))
    assert picked.topic == asked.options[1].id
    assert len(log.questions(*EVER)) == 1
    picks = [(f.question_id, f.picked, f.user) for f in log.feedback(*EVER)]
    assert picks == [(asked.id, asked.options[1].id, pseudonym("user", "U1"))]
    # One pick per answer and person: a second one (a replayed click) is not stored again.
    advisor.feedback(asked.id, "cli", "U1", picked="none")
    assert len(log.feedback(*EVER)) == 1
    advisor.feedback(asked.id, "cli", "U2", picked="none")
    assert len(log.feedback(*EVER)) == 2


def test_helpful_feedback_with_a_redacted_comment(logged: tuple[Advisor, MemoryQueryLog]) -> None:
    advisor, log = logged
    answer = advisor.handle(Query("should I join this facebook group?"))
    feedback_id = advisor.feedback(answer.id, "teams", "29:abc", helpful=False, comment="call me 054-1234567")
    [row] = log.feedback(*EVER)
    assert row.id == feedback_id and row.helpful is False and row.comment == "call me [phone]"
    assert row.user == pseudonym("user", "29:abc")


def test_finished_checklists_are_logged_with_what_was_missed(logged: tuple[Advisor, MemoryQueryLog]) -> None:
    advisor, log = logged
    advisor.handle(Query("", checklist="join-group", user_id="U9"))
    advisor.handle(
        Query("", checklist="join-group", ticked=frozenset({"network-kind", "who-sees"}), user_id="U9")
    )
    [run] = log.checklists(*EVER)
    assert (run.checklist, run.total, run.missed) == (
        "join-group",
        5,
        ("business-profile", "members-learn", "leave-if-mixed"),
    )
    assert run.user == pseudonym("user", "U9")
    assert len(log.questions(*EVER)) == 1


def test_a_failing_log_never_fails_the_answer(advisor: Advisor, caplog: pytest.LogCaptureFixture) -> None:
    class Broken:
        def submit(self, record: LogRecord) -> None:
            raise RuntimeError("disk full")

    broken = Advisor(
        advisor.knowledge, matcher=advisor.matcher, recorder=Recorder(Broken(), Pseudonymizer(KEY))
    )
    with caplog.at_level(logging.INFO):
        answer = broken.handle(Query("secret question about alice@example.com and linkedin groups"))
    assert answer.outcome is Outcome.ANSWERED
    assert "could not queue log record" in caplog.text
    assert "alice" not in caplog.text and "secret question" not in caplog.text


def test_a_question_over_the_limit_is_redacted_before_it_is_cut(
    logged: tuple[Advisor, MemoryQueryLog],
) -> None:
    advisor, log = logged
    text = "x " * 96 + "mail a.b@example.com or 0541234567 " + "y " * 600
    assert advisor.handle(Query(text)).question.startswith("x x")
    [row] = log.questions(*EVER)
    assert "[email]" in row.text and "[phone]" in row.text
    assert "@" not in row.text and not any(ch.isdigit() for ch in row.text)


@pytest.mark.parametrize(
    ("question_id", "picked"),
    [
        ("mail me a.b@example.com 054-1234567", None),
        ("0" * 31 + "G", None),
        (None, "mail me a.b@example.com 054-1234567"),
        (None, "0541234567"),
        (None, "no-such-topic"),
    ],
)
def test_feedback_ids_that_are_not_ours_are_not_stored(
    logged: tuple[Advisor, MemoryQueryLog], question_id: str | None, picked: str | None
) -> None:
    advisor, log = logged
    answer = advisor.handle(Query("should I join this facebook group?"))
    assert advisor.feedback(question_id or answer.id, "slack", "U1", picked=picked) is None
    assert log.feedback(*EVER) == []


def test_text_no_store_can_hold_is_repaired_where_it_enters(logged: tuple[Advisor, MemoryQueryLog]) -> None:
    advisor, log = logged
    answer = advisor.handle(
        Query("should I join a facebook group \udcff\udcfe\ud800\x00?", user_id="U\ud800")
    )
    advisor.feedback(answer.id, "web", "U\ud800", helpful=True, comment="bad \ud800 text\x00")
    [row] = log.questions(*EVER)
    [rated] = log.feedback(*EVER)
    assert row.text == "should I join a facebook group \ufffd\ufffd\ufffd?"
    assert rated.comment == "bad \ufffd text" and rated.user == row.user
