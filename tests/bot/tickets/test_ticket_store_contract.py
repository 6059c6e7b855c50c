"""One contract for every ticket store: memory, SQLite and a real PostgreSQL server."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.tickets.lifecycle import apply
from bot.tickets.records import Contact, Draft, TicketFilter, TicketStore

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ALICE = Contact("slack", "U0ALICE", "D0ALICE", "1700000000.000100", "Alice Cohen")


def draft(key: str, **fields: object) -> Draft:
    values: dict[str, object] = {
        "channel": "slack",
        "question": "may I post our roadmap on LinkedIn?",
        "lang": "en",
        "user": "p" * 32,
    }
    return Draft(key=key, **(values | fields))  # type: ignore[arg-type]


def test_one_key_makes_one_ticket_and_everything_is_kept(ticket_store: TicketStore) -> None:
    wanted = draft(
        "a" * 64,
        question="מותר לי לפרסם את מפת הדרכים בלינקדאין?",
        lang="he",
        note="דחוף [phone]",
        topic="confidential-info",
        urgent=True,
        question_id="q" * 32,
        contact=ALICE,
    )
    ticket, made = ticket_store.create(wanted, NOW)
    assert made is True
    again, made_again = ticket_store.create(
        replace(wanted, question="something else"), NOW + timedelta(seconds=3)
    )
    assert made_again is False
    assert again == ticket
    assert (ticket.question, ticket.lang, ticket.note, ticket.topic) == (
        "מותר לי לפרסם את מפת הדרכים בלינקדאין?",
        "he",
        "דחוף [phone]",
        "confidential-info",
    )
    assert (ticket.urgent, ticket.question_id, ticket.contact, ticket.user) == (
        True,
        "q" * 32,
        ALICE,
        "p" * 32,
    )
    assert (ticket.status, ticket.opened_at, ticket.version) == ("open", NOW, 1)
    assert [(e.action, e.by, e.at) for e in ticket.history] == [("opened", "asker", NOW)]
    other, made_other = ticket_store.create(draft("b" * 64), NOW)
    assert made_other is True and other.number != ticket.number
    assert ticket_store.get(ticket.number) == ticket
    assert ticket_store.by_key("a" * 64) == ticket
    assert ticket_store.get(999_999) is None and ticket_store.by_key("z" * 64) is None


def test_a_change_is_stored_only_over_the_version_it_came_from(ticket_store: TicketStore) -> None:
    ticket, _ = ticket_store.create(draft("c" * 64), NOW)
    mine = apply(ticket, "assign", "Dana", NOW + timedelta(minutes=5)).ticket
    theirs = apply(ticket, "close", "Omer", NOW + timedelta(minutes=6)).ticket
    assert ticket_store.replace(mine) is True
    assert ticket_store.replace(theirs) is False  # computed from a version that is gone
    stored = ticket_store.get(ticket.number)
    assert stored == mine
    answered = apply(mine, "answer", "Dana", NOW + timedelta(hours=1), "No: it is internal.", "en").ticket
    assert ticket_store.replace(answered) is True
    stored = ticket_store.get(ticket.number)
    assert stored is not None
    assert (stored.status, stored.assignee, stored.answer, stored.answer_lang) == (
        "answered",
        "Dana",
        "No: it is internal.",
        "en",
    )
    assert stored.first_response == timedelta(minutes=5)
    assert stored.time_to_answer == timedelta(hours=1)
    assert [e.action for e in stored.history] == ["opened", "assigned", "answered"]
    assert ticket_store.counts() == {"answered": 1}


def test_lists_filter_and_put_urgent_and_unfinished_first(ticket_store: TicketStore) -> None:
    old, _ = ticket_store.create(draft("d" * 64, topic="join-groups"), NOW - timedelta(days=3))
    urgent, _ = ticket_store.create(draft("e" * 64, urgent=True, topic="account-taken-over"), NOW)
    done, _ = ticket_store.create(
        draft("f" * 64, topic="join-groups", user="o" * 32), NOW - timedelta(days=5)
    )
    ticket_store.replace(apply(done, "close", "Dana", NOW).ticket)
    recent, _ = ticket_store.create(draft("g" * 64), NOW - timedelta(hours=1))
    everything = ticket_store.list(TicketFilter())
    assert [t.number for t in everything] == [urgent.number, old.number, recent.number, done.number]
    unfinished = TicketFilter(statuses=frozenset({"open", "assigned"}))
    assert [t.number for t in ticket_store.list(unfinished)] == [urgent.number, old.number, recent.number]
    by_topic = ticket_store.list(TicketFilter(topic="join-groups"))
    assert [t.number for t in by_topic] == [old.number, done.number]
    older = ticket_store.list(TicketFilter(opened_before=NOW - timedelta(days=1)))
    assert [t.number for t in older] == [old.number, done.number]
    newer = ticket_store.list(TicketFilter(opened_after=NOW - timedelta(days=1)))
    assert [t.number for t in newer] == [urgent.number, recent.number]
    assert [t.number for t in ticket_store.list(TicketFilter(user="o" * 32))] == [done.number]
    closed_lately = TicketFilter(closed_after=NOW - timedelta(minutes=1))
    assert [t.number for t in ticket_store.list(closed_lately)] == [done.number]
    assert ticket_store.list(TicketFilter(closed_after=NOW + timedelta(minutes=1))) == []
    assert len(ticket_store.list(TicketFilter(limit=2))) == 2
    assert ticket_store.counts() == {"open": 3, "closed": 1}


def test_contacts_go_after_closing_plus_retention_and_forget_deletes(ticket_store: TicketStore) -> None:
    closed, _ = ticket_store.create(draft("h" * 64, contact=ALICE), NOW - timedelta(days=100))
    ticket_store.replace(apply(closed, "close", "Dana", NOW - timedelta(days=95)).ticket)
    recent, _ = ticket_store.create(draft("i" * 64, contact=ALICE), NOW - timedelta(days=100))
    ticket_store.replace(apply(recent, "close", "Dana", NOW - timedelta(days=10)).ticket)
    still_open, _ = ticket_store.create(draft("j" * 64, contact=ALICE), NOW - timedelta(days=200))
    assert ticket_store.erase_contacts(NOW - timedelta(days=90)) == 1
    erased = ticket_store.get(closed.number)
    assert erased is not None and erased.contact is None and erased.question == closed.question
    assert ticket_store.get(recent.number).contact == ALICE  # type: ignore[union-attr]
    assert ticket_store.get(still_open.number).contact == ALICE  # type: ignore[union-attr]
    assert ticket_store.erase_contacts(NOW - timedelta(days=90)) == 0
    other, _ = ticket_store.create(draft("k" * 64, user="o" * 32), NOW)
    assert ticket_store.forget("p" * 32) == 3
    assert ticket_store.get(still_open.number) is None and ticket_store.by_key("j" * 64) is None
    assert [t.number for t in ticket_store.list(TicketFilter())] == [other.number]
    assert ticket_store.forget("p" * 32) == 0
    again, made = ticket_store.create(draft("l" * 64), NOW)
    assert made and again.number > other.number  # numbers are never given twice
