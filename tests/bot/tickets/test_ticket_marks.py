"""How far the owners' cards and the asker follow a ticket: the marks kept with it, the news
claimed once between replicas and given back when it could not be sent, and what a sweep finds
behind; on every ticket store."""

from __future__ import annotations

from dataclasses import replace

from bot.querylog.pseudonyms import Pseudonymizer
from bot.tickets.desk import Desk
from bot.tickets.marks import is_asker_behind, is_card_behind, news_since, seen, told
from bot.tickets.records import Contact, Ticket, TicketStore

KEY = b"k" * 32


def asked(desk: Desk, platform: str = "slack") -> Ticket:
    contact = Contact(platform, "U0ALICE", "D0ALICE")
    draft = desk.prepare(key="k", channel=platform, question="may I?", user_id="U0ALICE", contact=contact)
    assert draft is not None
    return desk.open(draft)[0]


def stored(desk: Desk, number: int) -> Ticket:
    ticket = desk.get(number)
    assert ticket is not None
    return ticket


def test_a_change_made_with_no_listener_leaves_the_card_and_the_asker_behind(
    ticket_store: TicketStore,
) -> None:
    desk = Desk(ticket_store, Pseudonymizer(KEY))
    ticket = asked(desk)
    assert not is_asker_behind(ticket, "slack") and desk.due("slack") == [ticket]  # no card yet
    desk.set_card(ticket.number, "slack", {"channel": "C0OWNERS", "ts": "1.2", "seen": "1"})
    assert desk.due("slack") == []
    desk.act(ticket.number, "answer", "Dana", "Yes.", "en")  # as `advisor tickets answer` does
    answered = stored(desk, ticket.number)
    assert is_card_behind(answered, "slack") and is_asker_behind(answered, "slack")
    assert not is_asker_behind(answered, "teams") and not is_card_behind(answered, "teams")
    assert [t.number for t in desk.due("slack")] == [ticket.number]
    assert [(i, e.action) for i, e in news_since(answered, told(answered))] == [(1, "answered")]

    desk.mark_seen(ticket.number, "slack", 2)
    desk.mark_seen(ticket.number, "slack", 1)  # an older rendering landing late lowers nothing
    assert seen(stored(desk, ticket.number), "slack") == 2
    desk.mark_seen(ticket.number, "teams", 2)  # no Teams card: nothing to mark
    assert "teams" not in stored(desk, ticket.number).cards
    desk.act(ticket.number, "close", "Dana")
    closed = stored(desk, ticket.number)
    assert [t.number for t in desk.due("slack")] == [ticket.number]  # closed lately: still looked at
    assert [e.action for _, e in news_since(closed, told(closed))] == ["answered", "closed"]
    assert closed.to_dict()["delivered_to"] == ["slack"]  # the asker's mark is no platform


def test_news_is_claimed_once_between_replicas_and_given_back_when_not_sent(
    ticket_store: TicketStore,
) -> None:
    first = Desk(ticket_store, Pseudonymizer(KEY))
    second = Desk(ticket_store, Pseudonymizer(KEY))
    ticket = asked(first)
    assert first.claim_news(ticket.number, "slack") is None  # the opening is no news
    first.act(ticket.number, "assign", "Dana")
    first.act(ticket.number, "answer", "Dana", "Yes.", "en")
    assert first.claim_news(ticket.number, "teams") is None  # the asker is in Slack
    claimed = first.claim_news(ticket.number, "slack")
    assert claimed is not None and claimed[1] == 1
    assert second.claim_news(ticket.number, "slack") is None
    assert not is_asker_behind(stored(second, ticket.number), "slack")

    first.give_back_news(ticket.number, 2, 3)  # "assigned" was sent, "answered" was not
    again = second.claim_news(ticket.number, "slack")
    assert again is not None
    assert [e.action for _, e in news_since(again[0], again[1])] == ["answered"]

    second.give_back_news(ticket.number, 2, 3)
    first.act(ticket.number, "close", "Dana")  # a change before the next claim
    claimed = first.claim_news(ticket.number, "slack")
    assert claimed is not None and [e.action for _, e in news_since(*claimed)] == ["answered", "closed"]
    second.act(ticket.number, "reopen", "Dana")
    later = second.claim_news(ticket.number, "slack")
    assert later is not None and [e.action for _, e in news_since(*later)] == ["reopened"]
    # The first replica's send failed after the second told what came later: no giving back
    # over it, so the reopening is not told twice.
    first.give_back_news(ticket.number, 3, 4)
    assert told(stored(first, ticket.number)) == 5


def test_tickets_stored_before_the_marks_are_not_replayed(ticket_store: TicketStore) -> None:
    desk = Desk(ticket_store, Pseudonymizer(KEY))
    ticket = asked(desk)
    desk.act(ticket.number, "assign", "Dana")
    before = stored(desk, ticket.number)
    # A row from before the marks: a card without `seen`, no asker's mark.
    legacy = replace(before, cards={"slack": {"channel": "C", "ts": "1.2"}}, version=before.version + 1)
    assert ticket_store.replace(legacy)
    assert not is_card_behind(legacy, "slack") and not is_asker_behind(legacy, "slack")
    assert desk.due("slack") == []
    desk.act(ticket.number, "answer", "Dana", "Yes.", "en")  # the first change after them
    answered = stored(desk, ticket.number)
    assert (seen(answered, "slack"), told(answered), len(answered.history)) == (2, 2, 3)
    assert [e.action for _, e in news_since(answered, told(answered))] == ["answered"]
