"""The ticket desk: what the asker confirms, one ticket per click, and the owners' actions."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from bot.querylog.pseudonyms import Pseudonymizer
from bot.querylog.sql import SqlQueryLog
from bot.tickets.desk import Desk, figures, ticket_key
from bot.tickets.memory import MemoryTicketStore
from bot.tickets.records import Contact, Ticket, TicketFilter, TicketStore
from bot.tickets.sql import SqlTicketStore

KEY = b"k" * 32
START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def desk(clock: Clock) -> Desk:
    return Desk(MemoryTicketStore(), Pseudonymizer(KEY), clock=clock)


def test_the_draft_is_redacted_pseudonymous_and_keeps_the_contact_apart(desk: Desk) -> None:
    contact = Contact("slack", "U0ALICE", "D0ALICE", None, "  Alice\x00 Cohen ")
    draft = desk.prepare(
        key=ticket_key("slack", "U0ALICE", "1.2"),
        channel="slack",
        question="may I post our roadmap? call me on 054-1234567 or alice@example.com",
        note="card 4111 1111 1111 1111",
        user_id="U0ALICE",
        contact=contact,
    )
    assert draft is not None
    assert draft.question == "may I post our roadmap? call me on [phone] or [email]"
    assert draft.note == "card [number]"
    assert draft.lang == "en"
    assert draft.user == Pseudonymizer(KEY)("user", "U0ALICE") and "U0ALICE" not in draft.user
    assert draft.contact == Contact("slack", "U0ALICE", "D0ALICE", None, "Alice Cohen")
    verbatim = desk.prepare(
        key="x", channel="web", question="call me on 054-1234567", user_id="v", verbatim=True
    )
    assert verbatim is not None and verbatim.question == "call me on 054-1234567"
    hebrew = desk.prepare(key="y", channel="cli", question="מותר לפרסם את זה?", user_id=None)
    assert hebrew is not None and hebrew.lang == "he" and hebrew.user is None
    assert desk.prepare(key="z", channel="cli", question="  ?!  \x00", user_id="u") is None
    long = desk.prepare(key="w", channel="cli", question="word " * 1000, user_id="u")
    assert long is not None and len(long.question) <= 2000


def test_an_action_tells_the_listeners_once_and_a_repeat_changes_nothing(desk: Desk, clock: Clock) -> None:
    told: list[tuple[int, str]] = []
    desk.listeners.append(lambda ticket, what: told.append((ticket.number, what)))
    draft = desk.prepare(key="k1", channel="slack", question="may I?", user_id="U1")
    assert draft is not None
    ticket, made = desk.open(draft)
    assert made and desk.open(draft) == (ticket, False)
    clock.now += timedelta(minutes=10)
    assigned = desk.act(ticket.number, "assign", "Dana")
    assert assigned is not None and assigned.changed and assigned.ticket.status == "assigned"
    again = desk.act(ticket.number, "assign", "Dana")
    assert again is not None and not again.changed and again.refused is None
    empty = desk.act(ticket.number, "answer", "Dana", "   ")
    assert empty is not None and empty.refused == "empty"
    clock.now += timedelta(minutes=50)
    answered = desk.act(ticket.number, "answer", "Dana", "No, keep it internal.", "en")
    assert answered is not None and answered.ticket.time_to_answer == timedelta(hours=1)
    closed = desk.act(ticket.number, "close", "Omer")
    assert closed is not None and closed.ticket.status == "closed"
    late = desk.act(ticket.number, "answer", "Dana", "More.")
    assert late is not None and late.refused == "closed"
    reopened = desk.act(ticket.number, "reopen", "Omer")
    assert reopened is not None and reopened.ticket.status == "assigned"
    assert reopened.ticket.closed_at is None
    assert desk.act(ticket.number, "shout", "Omer").refused == "unknown"  # type: ignore[union-attr]
    assert desk.act(404, "close", "Omer") is None
    rated = desk.act(ticket.number, "rate", "asker", "helpful")
    assert rated is not None and rated.changed and rated.ticket.status == "assigned"
    assert desk.act(ticket.number, "rate", "asker", "helpful").changed is False  # type: ignore[union-attr]
    assert desk.act(ticket.number, "rate", "asker", "great").refused == "unknown"  # type: ignore[union-attr]
    assert told == [
        (1, "opened"),
        (1, "assigned"),
        (1, "answered"),
        (1, "closed"),
        (1, "reopened"),
        (1, "rated helpful"),
    ]
    assert [e.by for e in reopened.ticket.history] == ["asker", "Dana", "Dana", "Omer", "Omer"]
    fresh = desk.prepare(key="k9", channel="slack", question="and this?", user_id="U1")
    assert fresh is not None
    unanswered, _ = desk.open(fresh)
    assert desk.act(unanswered.number, "rate", "asker", "helpful").refused == "unanswered"  # type: ignore[union-attr]


def test_a_failing_listener_never_undoes_the_change(desk: Desk) -> None:
    def broken(_ticket: Ticket, _what: str) -> None:
        raise ConnectionError("the owner's channel is down")

    desk.listeners.append(broken)
    draft = desk.prepare(key="k2", channel="slack", question="may I?", user_id="U1")
    assert draft is not None
    ticket, made = desk.open(draft)
    assert made and desk.get(ticket.number) == ticket
    outcome = desk.act(ticket.number, "close", "Dana")
    assert outcome is not None and desk.get(ticket.number).status == "closed"  # type: ignore[union-attr]


def test_mine_and_figures(desk: Desk, clock: Clock) -> None:
    for index, user in enumerate(["U1", "U1", "U2"]):
        draft = desk.prepare(key=f"m{index}", channel="teams", question=f"question {index}", user_id=user)
        assert draft is not None
        desk.open(draft)
    assert [t.question for t in desk.mine("U1")] == ["question 0", "question 1"]
    assert desk.mine("U3") == []
    clock.now += timedelta(minutes=30)
    desk.act(1, "assign", "Dana")
    clock.now += timedelta(minutes=30)
    desk.act(1, "answer", "Dana", "Yes.")
    desk.act(2, "answer", "Dana", "No.")
    shown = figures(desk.list(TicketFilter()))
    assert shown.counts == {"open": 1, "assigned": 0, "answered": 2, "closed": 0}
    assert shown.median_first_response == timedelta(minutes=45)
    assert shown.median_answer == timedelta(hours=1)
    assert figures([]).to_dict()["median_answer_seconds"] is None


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_two_replicas_clicking_at_once_make_one_ticket_and_lose_no_action(
    database: str, request: pytest.FixtureRequest, tmp_path: object
) -> None:
    url = f"sqlite:///{tmp_path}/log.db" if database == "sqlite" else request.getfixturevalue("pg_url")
    logs = [SqlQueryLog(url), SqlQueryLog(url)]
    logs[0].upgrade()
    desks = [Desk(SqlTicketStore(log.engine), Pseudonymizer(KEY)) for log in logs]
    try:
        results: list[tuple[Ticket, bool]] = []
        gate = threading.Barrier(8)

        def click(index: int) -> None:
            desk = desks[index % 2]
            draft = desk.prepare(key="same-click", channel="slack", question="may I?", user_id="U1")
            assert draft is not None
            gate.wait()
            results.append(desk.open(draft))

        threads = [threading.Thread(target=click, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len({ticket.number for ticket, _ in results}) == 1
        assert sum(made for _, made in results) == 1
        number = results[0][0].number
        owners = [f"owner{i}" for i in range(6)]
        actors = [
            threading.Thread(target=desks[i % 2].act, args=(number, "assign", owner))
            for i, owner in enumerate(owners)
        ]
        for thread in actors:
            thread.start()
        for thread in actors:
            thread.join()
        stored = desks[0].get(number)
        assert stored is not None
        assert sorted(e.by for e in stored.history if e.action == "assigned") == owners
        assert stored.version == 1 + len(owners)
    finally:
        for log in logs:
            log.engine.dispose()


def test_where_a_card_is_kept_with_the_ticket(ticket_store: TicketStore) -> None:
    desk = Desk(ticket_store, Pseudonymizer(KEY))
    draft = desk.prepare(key="card", channel="slack", question="may I?", user_id="U1")
    assert draft is not None
    ticket, _ = desk.open(draft)
    assert ticket.cards == {} and ticket.to_dict()["delivered_to"] == []
    placed = desk.set_card(ticket.number, "slack", {"channel": "C0OWNERS", "ts": "1.2"})
    assert placed is not None and placed.cards == {"slack": {"channel": "C0OWNERS", "ts": "1.2"}}
    assert desk.set_card(ticket.number, "slack", {"channel": "C0OWNERS", "ts": "1.2"}) == placed
    desk.act(ticket.number, "close", "Dana")
    stored = desk.get(ticket.number)
    assert stored is not None and stored.cards["slack"]["ts"] == "1.2" and stored.status == "closed"
    assert stored.to_dict()["delivered_to"] == ["slack"]
    assert desk.set_card(999, "slack", {"channel": "C", "ts": "1"}) is None


def test_one_claimant_at_a_time_posts_a_card(desk: Desk, clock: Clock) -> None:
    draft = desk.prepare(key="claim", channel="web", question="may I?", user_id="U1")
    assert draft is not None
    ticket, _ = desk.open(draft)
    until = clock.now + timedelta(minutes=1)
    assert desk.claim_card(ticket.number, "slack", "replica-a", until) is not None
    assert desk.claim_card(ticket.number, "slack", "replica-b", until) is None
    assert desk.claim_card(ticket.number, "slack", "replica-a", until + timedelta(minutes=1)) is not None
    assert desk.get(ticket.number).to_dict()["delivered_to"] == []  # type: ignore[union-attr]
    clock.now += timedelta(minutes=3)  # replica-a stopped: its claim ran out
    assert desk.claim_card(ticket.number, "slack", "replica-b", clock.now + timedelta(minutes=1)) is not None
    desk.set_card(ticket.number, "slack", {"channel": "C0OWNERS", "ts": "1.2"})
    assert desk.claim_card(ticket.number, "slack", "replica-b", clock.now + timedelta(minutes=1)) is None
    assert desk.claim_card(404, "slack", "replica-b", clock.now) is None
