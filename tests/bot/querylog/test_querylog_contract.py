"""One contract for every query log: memory, SQLite and a real PostgreSQL server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.querylog.records import ChecklistRecord, FeedbackRecord, QueryLog, QuestionRecord

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def question(n: int, **fields: object) -> QuestionRecord:
    base: dict[str, object] = dict(
        id=f"{n:032x}",
        asked_at=NOW + timedelta(minutes=n),
        channel="slack",
        text=f"question {n}",
        lang="en",
        outcome="answered",
        confidence=0.5,
        latency_ms=1.25,
        workspace="w" * 32,
        user="u" * 32,
        conversation="c" * 32,
        delivery_id=f"Ev{n}",
        topic="join-groups",
        verdict="caution",
        runners_up=(("join-groups", 0.5), ("separate-accounts", 0.25)),
    )
    base.update(fields)
    return QuestionRecord(**base)  # type: ignore[arg-type]


def test_every_field_round_trips(store: QueryLog) -> None:
    record = question(1, text="שאלה עם [email]", lang="he")
    store.write([record])
    assert store.questions(*EVER) == [record]


def test_writes_are_idempotent_by_id(store: QueryLog) -> None:
    store.write([question(1), question(2)])
    store.write([question(1), question(2), question(3)])
    assert [q.id for q in store.questions(*EVER)] == [question(n).id for n in (1, 2, 3)]


def test_a_delivery_id_is_stored_once_per_channel(store: QueryLog) -> None:
    store.write([question(1, delivery_id="Ev42")])
    store.write([question(2, delivery_id="Ev42"), question(3, delivery_id="Ev42", channel="teams")])
    store.write([question(4, delivery_id=None), question(5, delivery_id=None)])
    rows = store.questions(*EVER)
    assert [(q.id, q.channel) for q in rows] == [
        (question(1).id, "slack"),
        (question(3).id, "teams"),
        (question(4).id, "slack"),
        (question(5).id, "slack"),
    ]


def test_time_range_is_half_open(store: QueryLog) -> None:
    store.write([question(n) for n in range(5)])
    got = store.questions(NOW + timedelta(minutes=1), NOW + timedelta(minutes=3))
    assert [q.id for q in got] == [question(1).id, question(2).id]


def test_feedback_and_checklists_round_trip(store: QueryLog) -> None:
    fb = FeedbackRecord(
        id="f" * 32,
        question_id=question(1).id,
        at=NOW,
        channel="teams",
        user="u" * 32,
        helpful=False,
        comment="too vague",
        picked="none",
    )
    run = ChecklistRecord(
        id="k" * 32,
        at=NOW,
        channel="web",
        checklist="join-group",
        total=5,
        missed=("who-sees", "leave-if-mixed"),
        user="u" * 32,
    )
    store.write([fb, run, fb, run])
    assert store.feedback(*EVER) == [fb]
    assert store.checklists(*EVER) == [run]


def test_purge_removes_old_rows_everywhere(store: QueryLog) -> None:
    store.write([question(n, asked_at=NOW - timedelta(days=100 - n)) for n in range(3)])
    store.write([question(9)])
    store.write([FeedbackRecord(id="f" * 32, question_id="x", at=NOW - timedelta(days=95), channel="web")])
    store.write(
        [ChecklistRecord(id="k" * 32, at=NOW - timedelta(days=95), channel="web", checklist="c", total=1)]
    )
    assert store.purge(NOW - timedelta(days=90)) == 5
    assert [q.id for q in store.questions(*EVER)] == [question(9).id]
    assert store.purge(NOW - timedelta(days=90)) == 0


def test_forget_removes_one_person_only(store: QueryLog) -> None:
    store.write([question(1, user="a" * 32), question(2, user="b" * 32), question(3, user="a" * 32)])
    store.write([FeedbackRecord(id="f" * 32, question_id="x", at=NOW, channel="web", user="a" * 32)])
    store.write([ChecklistRecord(id="k" * 32, at=NOW, channel="web", checklist="c", total=1, user="a" * 32)])
    assert store.forget("a" * 32) == 4
    assert [q.user for q in store.questions(*EVER)] == ["b" * 32]
    assert store.feedback(*EVER) == [] and store.checklists(*EVER) == []
    assert store.forget("a" * 32) == 0


def test_forgotten_delivery_can_be_stored_again(store: QueryLog) -> None:
    store.write([question(1, user="a" * 32)])
    store.forget("a" * 32)
    store.write([question(2, delivery_id="Ev1")])
    assert len(store.questions(*EVER)) == 1


def test_ping(store: QueryLog) -> None:
    assert store.ping() is True


def test_what_a_follow_up_took_from_its_context_round_trips_and_is_counted(store: QueryLog) -> None:
    context = {"topic": "join-groups", "entities": {"network": "whatsapp"}, "follow_up": "refers"}
    followed = question(1, context=context)
    store.write([followed, question(2), question(3, context={"topic": "recruitment", "entities": {}})])
    assert store.questions(*EVER)[0] == followed and store.questions(*EVER)[1].context is None
    assert store.follow_ups(*EVER) == 2
    assert store.follow_ups(NOW + timedelta(minutes=2), NOW + timedelta(minutes=3)) == 0


def test_a_follow_ups_record_survives_the_spool() -> None:
    from bot.querylog.spool import from_json, to_json

    record = QuestionRecord(
        id="a" * 32,
        asked_at=NOW,
        channel="web",
        text="and on Instagram?",
        lang="en",
        outcome="answered",
        confidence=1.0,
        latency_ms=0.5,
        topic="recruitment",
        context={"topic": "recruitment", "entities": {}, "follow_up": "slot"},
    )
    assert from_json(to_json(record)) == record
