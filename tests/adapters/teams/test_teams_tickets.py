"""Asking the policy owner in Teams, through the real server and CloudAdapter against the
recording stand-in for the Bot Connector: the confirmation form, one ticket per Send, the owner's
card updated in place, the news and the answer back in the asker's conversation, a card that
waits for an unreachable owners' channel, and card submits that are not the advisor's."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live import send
from tests.teamskit import TeamsRig, activity

OWNERS = "19:owners0123456789@thread.tacv2"
PERSONAL = "a:1PersonalConversationId"
DANA = {"id": "29:3OwnerDana", "name": "Dana Owner", "aadObjectId": "9a8b7c6d-0000-4000-8000-00000000dana"}
ids = itertools.count(1)


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[TeamsRig]:
    made = TeamsRig(tmp_path, teams_owner_channel=OWNERS, ticket_retry_seconds=0.1, digest_enabled=False)
    yield made
    made.close()


def card_of(reply: dict[str, Any]) -> dict[str, Any]:
    [attachment] = reply["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    content: dict[str, Any] = attachment["content"]
    assert content["version"] == "1.5"
    return content


def texts(card: dict[str, Any]) -> str:
    """The card's text as people read it (the markdown escapes removed)."""
    return re.sub(r"\\(.)", r"\1", "\n".join(e.get("text", "") for e in card["body"]))


def action(card: dict[str, Any], kind: str) -> dict[str, Any]:
    for found in card.get("actions", []):
        if found.get("type") == "Action.Submit" and found["data"].get("advisor") == kind:
            return found
    raise AssertionError(f"no {kind} action in {card}")


def field(card: dict[str, Any], name: str) -> dict[str, Any]:
    [found] = [e for e in card["body"] if e.get("id") == name]
    return found


def say(rig: TeamsRig, text: str, **changes: Any) -> None:
    reply = rig.post(activity("message_personal", id=f"m{next(ids)}", text=text, **changes))
    assert reply.status in (200, 201), reply.body


def submit(rig: TeamsRig, value: dict[str, Any], conversation: str = PERSONAL, **changes: Any) -> int:
    body = activity("card_action", id=f"c{next(ids)}", value=value, **changes)
    body["conversation"] = dict(body["conversation"], id=conversation)
    if "from" not in changes:
        body["from"] = {"id": "29:1AbCdEfGhIjKlMnOp", "name": "Dana Levi", **body["from"]}
    reply = rig.post(body)
    assert reply.status in (200, 201), reply.body
    return reply.status


def as_owner(rig: TeamsRig, value: dict[str, Any]) -> None:
    submit(rig, value, conversation=f"{OWNERS};messageid=1800000000009", **{"from": DANA})


def next_to(rig: TeamsRig, conversation: str, count: int) -> dict[str, Any]:
    """The ``count``-th activity posted in ``conversation`` (waiting for it)."""
    return rig.connector.until(
        lambda: len(rig.connector.to(conversation)) >= count and rig.connector.to(conversation)
    )[count - 1]


def confirm_from_a_decline(rig: TeamsRig) -> dict[str, Any]:
    say(rig, "what is the weather tomorrow? mail me at alex@example.com")
    answer = card_of(next_to(rig, PERSONAL, 1))
    ask = action(answer, "ticket-ask")
    assert ask["title"] == "Ask the policy owner"
    assert ask["data"]["q"].startswith("what is the weather tomorrow?")
    submit(rig, ask["data"])
    return card_of(next_to(rig, PERSONAL, 2))


def test_the_asker_confirms_and_the_owner_assigns_answers_and_closes(rig: TeamsRig) -> None:
    form = confirm_from_a_decline(rig)
    assert "The policy owner will see this. Send it?" in texts(form) and "From: Dana Levi" in texts(form)
    question = field(form, "question")
    assert question["type"] == "Input.Text" and question["value"] == (
        "what is the weather tomorrow? mail me at [email]"
    )
    send_it = action(form, "ticket-send")
    assert send_it["data"]["k"] and send_it["data"]["l"] == "en"
    value = send_it["data"] | {"question": question["value"], "note": "before Thursday"}
    submit(rig, value)
    assert next_to(rig, PERSONAL, 3)["text"].startswith("Sent to the policy owner as ticket #1.")
    [sent_form] = rig.connector.until(
        lambda: [u for u in rig.connector.updates if u["_conversation"] == PERSONAL]
    )
    assert sent_form["_activity"] == "1800000000001" and "actions" not in card_of(sent_form)
    assert "Note: before Thursday" in texts(card_of(sent_form))
    card = card_of(next_to(rig, OWNERS, 1))
    assert "🟡 Ticket #1 · open" in texts(card) and "Dana Levi" in texts(card)
    assert "mail me at [email]" in texts(card) and "Note: before Thursday" in texts(card)
    # The same Send again (a double click, or Teams redelivering): still one ticket.
    submit(rig, value)
    card_id = rig.connector.until(lambda: (rig.service.desk.get(1).cards.get("teams") or {}).get("ts"))  # type: ignore[union-attr]
    assert card_id == rig.connector.to(OWNERS)[0]["_id"] and rig.service.desk.get(2) is None

    as_owner(rig, action(card, "ticket-assign")["data"])
    assert "Dana Owner is looking at your question" in texts(card_of(next_to(rig, PERSONAL, 4)))
    updated = rig.connector.until(
        lambda: [u for u in rig.connector.updates if "assigned by Dana Owner" in texts(card_of(u))]
    )
    assert updated[0]["_activity"] == card_id and updated[0]["_conversation"] == OWNERS
    assigned = card_of(updated[0])
    assert "🔵 Ticket #1 · assigned" in texts(assigned)

    [form_action] = [a for a in assigned["actions"] if a["type"] == "Action.ShowCard"]
    answer_form = form_action["card"]
    assert (
        field(answer_form, "answer")["type"] == "Input.Text" and field(answer_form, "lang")["value"] == "en"
    )
    send_answer = answer_form["actions"][0]["data"]
    as_owner(rig, send_answer | {"answer": "No: we cannot help with weather.", "lang": "en"})
    news = card_of(next_to(rig, PERSONAL, 5))
    assert "the policy owner answered your question" in texts(news)
    assert "No: we cannot help with weather." in texts(news)
    rate = action(news, "ticket-rate")
    submit(rig, rate["data"])
    assert next_to(rig, PERSONAL, 6)["text"] == "Thanks, the policy owner will see your rating."

    as_owner(rig, {"advisor": "ticket-close", "n": 1})
    assert "Ticket #1 is closed." in texts(card_of(next_to(rig, PERSONAL, 7)))
    closed = rig.connector.until(
        lambda: [u for u in rig.connector.updates if "Ticket #1 · closed" in texts(card_of(u))]
    )
    assert action(card_of(closed[-1]), "ticket-reopen")["title"] == "Reopen"
    assert "rated helpful by asker" in texts(card_of(closed[-1]))
    ticket = rig.service.desk.get(1)
    assert ticket is not None and [e.action for e in ticket.history][:3] == ["opened", "assigned", "answered"]
    assert len(rig.connector.to(OWNERS)) == 1  # one card, updated in place
    assert ticket.to_dict()["delivered_to"] == ["teams"]

    say(rig, "my-questions")
    mine = texts(card_of(next_to(rig, PERSONAL, 8)))
    assert "#1 · closed · what is the weather tomorrow?" in mine and "we cannot help with weather" in mine


def test_ask_owner_alone_opens_the_form_in_the_persons_language(rig: TeamsRig) -> None:
    say(rig, "ask-owner", locale="he-IL")
    form = card_of(next_to(rig, PERSONAL, 1))
    assert form["rtl"] is True and field(form, "question")["value"] == ""
    submit(rig, action(form, "ticket-send")["data"] | {"question": "  "})
    assert next_to(rig, PERSONAL, 2)["text"].startswith("כתבו את השאלה")
    assert rig.service.desk.get(1) is None


def test_hebrew_ask_owner_command_and_a_hebrew_answer(rig: TeamsRig) -> None:
    say(rig, "ask-owner מותר לי לפרסם את מפת הדרכים בלינקדאין?", locale="he-IL")
    form = card_of(next_to(rig, PERSONAL, 1))
    assert form["rtl"] is True and "זה מה שהאחראי על המדיניות יראה" in texts(form)
    assert field(form, "question")["label"] == "שאלה"
    send_it = action(form, "ticket-send")
    assert send_it["title"] == "שליחה"
    submit(rig, send_it["data"] | {"question": field(form, "question")["value"]})
    assert next_to(rig, PERSONAL, 2)["text"].startswith("נשלח לאחראי על המדיניות כפנייה מס' 1.")
    next_to(rig, OWNERS, 1)
    as_owner(rig, {"advisor": "ticket-answer", "n": 1, "answer": "לא: מפת הדרכים פנימית.", "lang": "he"})
    news = card_of(next_to(rig, PERSONAL, 3))
    assert news["rtl"] is True and "פנייה מס' 1: האחראי על המדיניות ענה" in texts(news)
    assert [a["title"] for a in news["actions"]] == ["עזר לי", "לא עזר"]
    ticket = rig.service.desk.get(1)
    assert ticket is not None and (ticket.lang, ticket.answer_lang) == ("he", "he")


def test_an_incident_offers_an_urgent_ticket(rig: TeamsRig) -> None:
    say(rig, "someone took over my linkedin account, they post in my name")
    answer = card_of(next_to(rig, PERSONAL, 1))
    report = action(answer, "ticket-ask")
    assert report["title"] == "🚨 Tell the policy owner now" and report["style"] == "destructive"
    assert (report["data"]["t"], report["data"]["u"]) == ("account-taken-over", 1)
    submit(rig, report["data"])
    form = card_of(next_to(rig, PERSONAL, 2))
    assert "Urgent: the policy owner sees it first." in texts(form)
    submit(rig, action(form, "ticket-send")["data"] | {"question": field(form, "question")["value"]})
    card = card_of(next_to(rig, OWNERS, 1))
    assert "🚨 URGENT · 🟡 Ticket #1 · open" in texts(card) and "account-taken-over" in texts(card)
    ticket = rig.service.desk.get(1)
    assert ticket is not None and ticket.urgent and ticket.topic == "account-taken-over"


@pytest.mark.parametrize("feedback", ["not_helpful", "none"])
def test_not_helpful_and_none_of_these_offer_the_policy_owner(rig: TeamsRig, feedback: str) -> None:
    submit(rig, {"advisor": feedback, "q": "a" * 32, "l": "he"})
    offer = card_of(next_to(rig, PERSONAL, 2))
    ask = action(offer, "ticket-ask")
    assert ask["title"] == "לשאול את האחראי על המדיניות" and ask["data"]["i"] == "a" * 32
    submit(rig, ask["data"])
    form = card_of(next_to(rig, PERSONAL, 3))
    assert field(form, "question")["value"] == "" and action(form, "ticket-send")["data"]["i"] == "a" * 32


def metric(rig: TeamsRig, name: str) -> float:
    body = send(rig.port, "/metrics", method="GET").body.decode()
    [line] = [x for x in body.splitlines() if x.startswith(name + '{platform="teams"}')]
    return float(line.split()[-1])


def test_an_unreachable_owners_channel_keeps_the_ticket_and_retries(rig: TeamsRig) -> None:
    rig.connector.down.add(OWNERS)
    say(rig, "ask-owner may I post our roadmap?")
    form = card_of(next_to(rig, PERSONAL, 1))
    submit(rig, action(form, "ticket-send")["data"] | {"question": "may I post our roadmap?"})
    assert next_to(rig, PERSONAL, 2)["text"].startswith("Sent to the policy owner as ticket #1.")
    rig.connector.until(lambda: rig.connector.refused >= 2)
    assert rig.connector.until(lambda: metric(rig, "advisor_ticket_cards_waiting")) == 1.0
    ticket = rig.service.desk.get(1)
    assert ticket is not None and ticket.status == "open" and ticket.to_dict()["delivered_to"] == []
    rig.connector.down.clear()
    card = card_of(next_to(rig, OWNERS, 1))
    assert "Ticket #1 · open" in texts(card)
    rig.connector.until(lambda: "ts" in (rig.service.desk.get(1).cards.get("teams") or {}))  # type: ignore[union-attr]
    assert metric(rig, "advisor_ticket_card_failures") >= 2
    assert rig.connector.until(lambda: metric(rig, "advisor_ticket_cards_waiting") == 0.0)


def ask_and_send(rig: TeamsRig) -> None:
    say(rig, "ask-owner may I post our roadmap?")
    form = card_of(next_to(rig, PERSONAL, 1))
    submit(rig, action(form, "ticket-send")["data"] | {"question": "may I post our roadmap?"})
    next_to(rig, OWNERS, 1)


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        ({"advisor": "ticket-send", "l": "en", "question": "may I?"}, "en", "This card could not be read."),
        ({"advisor": "ticket-send", "k": "x" * 32, "l": "he", "question": 42}, "he", "לא הצלחתי לקרוא"),
        (
            {"advisor": "ticket-send", "k": "x" * 32, "a": "self", "l": "en", "question": "a " * 1500},
            "en",
            "That is too long",
        ),
        (
            {"advisor": "ticket-send", "k": "x" * 32, "a": "self", "l": "he", "question": "!!!"},
            "he",
            "כתבו את השאלה",
        ),
        (
            {"advisor": "ticket-send", "k": "x" * 32, "a": "0" * 16, "l": "en", "question": "may?"},
            "en",
            "Only the person",
        ),
        ({"advisor": "ticket-rate", "n": 99, "r": "helpful", "l": "en"}, "en", "There is no ticket #99."),
        ({"advisor": "ticket-rate", "n": "1", "r": "helpful", "l": "he"}, "he", "לא הצלחתי לקרוא"),
        ({"advisor": "ticket-rate", "n": 1, "r": "helpful", "l": "he"}, "he", "רק מי ששאל"),
        ({"advisor": "ticket-close", "n": 1, "l": "en"}, "en", "Only the person who asked"),
        ({"advisor": "ticket-explode", "l": "he"}, "he", "לא הצלחתי לקרוא"),
    ],
)
def test_card_submits_that_are_not_ours_get_a_clear_sentence(
    rig: TeamsRig, value: dict[str, Any], lang: str, expected: str
) -> None:
    ask_and_send(rig)
    before = len(rig.connector.to(PERSONAL))
    stranger = {"id": "29:9Stranger", "name": "Eve", "aadObjectId": "00000000-0000-4000-8000-0000000000ee"}
    if value.get("a") == "self":  # a form shown to this person
        value = value | {"a": (rig.service.desk.pseudonyms("user", stranger["aadObjectId"]) or "")[:16]}
    submit(rig, value, **{"from": stranger})
    reply = next_to(rig, PERSONAL, before + 1)
    assert reply["text"].startswith(expected) and reply["textFormat"] == "plain"
    ticket = rig.service.desk.get(1)
    assert ticket is not None and [e.action for e in ticket.history] == ["opened"]
    assert rig.service.desk.get(2) is None


def test_owner_actions_need_text_and_an_open_ticket(rig: TeamsRig) -> None:
    ask_and_send(rig)
    thread = f"{OWNERS};messageid=1800000000009"
    as_owner(rig, {"advisor": "ticket-answer", "n": 1, "answer": "   ", "lang": "en"})
    assert next_to(rig, thread, 1)["text"] == "Write the answer first."
    as_owner(rig, {"advisor": "ticket-answer", "n": 1, "answer": "no " * 2000, "lang": "en"})
    assert next_to(rig, thread, 2)["text"].startswith("The answer is too long")
    as_owner(rig, {"advisor": "ticket-close", "n": 1})
    rig.connector.until(
        lambda: [u for u in rig.connector.updates if "Ticket #1 · closed" in texts(card_of(u))]
    )
    as_owner(rig, {"advisor": "ticket-answer", "n": 1, "answer": "Yes.", "lang": ["en"]})
    replies = rig.connector.until(lambda: rig.connector.to(thread)[2:])
    assert replies[0]["text"] == "Ticket #1 is closed: reopen it first."
    ticket = rig.service.desk.get(1)
    assert ticket is not None and ticket.answer is None and ticket.status == "closed"


def test_an_invoke_with_a_ticket_submit_is_refused_with_400(rig: TeamsRig) -> None:
    body = activity("card_action", id="inv1", type="invoke")
    body["name"] = "adaptiveCard/action"
    body["value"] = {"advisor": "ticket-send", "k": 7}
    assert rig.post(body).status == 400
    assert rig.service.desk.get(1) is None


def test_two_replicas_on_one_postgresql_make_one_ticket_and_one_card(tmp_path: Path, pg_url: str) -> None:
    options = {"teams_owner_channel": OWNERS, "database_url": pg_url, "digest_enabled": False}
    first = TeamsRig(tmp_path / "a", **options)
    second = TeamsRig(tmp_path / "b", peer=first, **options)
    try:
        say(first, "ask-owner may I share the launch date?")
        form = card_of(next_to(first, PERSONAL, 1))
        value = action(form, "ticket-send")["data"] | {"question": "may I share the launch date?"}
        # Teams delivers the one Send to both replicas (a retry through the load balancer).
        for replica in (first, second, first):
            submit(replica, value)
        card = card_of(next_to(first, OWNERS, 1))
        card_id = first.connector.until(
            lambda: (first.service.desk.get(1).cards.get("teams") or {}).get("ts")  # type: ignore[union-attr]
        )
        assert "Ticket #1 · open" in texts(card) and second.service.desk.get(2) is None
        # The owner's click reaches the other replica: it updates the card the first one posted.
        as_owner(second, {"advisor": "ticket-assign", "n": 1})
        updated = first.connector.until(
            lambda: [u for u in first.connector.updates if "assigned by Dana Owner" in texts(card_of(u))]
        )
        assert updated[0]["_activity"] == card_id
        assert "Dana Owner is looking at your question" in texts(card_of(next_to(first, PERSONAL, 3)))
        assert len(first.connector.to(OWNERS)) == 1
        assert [r["text"] for r in first.connector.to(PERSONAL) if r.get("text")][:1] == [
            "Sent to the policy owner as ticket #1. I will tell you here when there is news."
        ]
    finally:
        second.close()
        first.close()


def test_a_change_made_elsewhere_on_the_server_updates_the_card_and_tells_the_asker(rig: TeamsRig) -> None:
    ask_and_send(rig)
    card_id = rig.connector.to(OWNERS)[0]["_id"]
    rig.connector.until(lambda: (rig.service.desk.get(1).cards.get("teams") or {}).get("ts"))  # type: ignore[union-attr]
    # What the dashboard does: the desk, on another thread than the event loop's.
    outcome = rig.service.desk.act(1, "answer", "dashboard", "Yes, once it is announced.", "en")
    assert outcome is not None and outcome.changed
    updated = rig.connector.until(
        lambda: [u for u in rig.connector.updates if "answered by dashboard" in texts(card_of(u))]
    )
    assert updated[0]["_activity"] == card_id
    news = card_of(
        rig.connector.until(lambda: [r for r in rig.connector.to(PERSONAL) if r.get("attachments")][1:])[0]
    )
    assert "Yes, once it is announced." in texts(news) and action(news, "ticket-rate")["data"]["n"] == 1


def test_in_a_group_only_the_person_the_form_was_shown_to_can_send_it(rig: TeamsRig) -> None:
    say(rig, "ask-owner may I post our roadmap?")
    form = card_of(next_to(rig, PERSONAL, 1))
    value = action(form, "ticket-send")["data"] | {"question": "may I post our roadmap?"}
    eve = {"id": "29:9Stranger", "name": "Eve", "aadObjectId": "00000000-0000-4000-8000-0000000000ee"}
    submit(rig, value, **{"from": eve})
    assert next_to(rig, PERSONAL, 2)["text"].startswith("Only the person who asked")
    assert rig.service.desk.get(1) is None
    submit(rig, value)
    assert next_to(rig, PERSONAL, 3)["text"].startswith("Sent to the policy owner as ticket #1.")
    ticket = rig.service.desk.get(1)
    assert ticket is not None and ticket.contact is not None and ticket.contact.name == "Dana Levi"


def test_cancel_sends_nothing_and_closes_the_form(rig: TeamsRig) -> None:
    say(rig, "ask-owner מותר לי לפרסם את מפת הדרכים?")
    form = card_of(next_to(rig, PERSONAL, 1))
    cancel = action(form, "ticket-cancel")
    assert cancel["title"] == "ביטול"
    submit(rig, cancel["data"])
    assert next_to(rig, PERSONAL, 2)["text"] == "לא נשלח דבר."
    [closed] = rig.connector.until(lambda: rig.connector.updates)
    assert closed["_activity"] == "1800000000001" and "actions" not in card_of(closed)
    assert rig.service.desk.get(1) is None and len(rig.connector.to(OWNERS)) == 0


def test_a_ticket_opened_elsewhere_gets_its_card_from_the_sweep(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    rig = TeamsRig(tmp_path, teams_owner_channel=OWNERS, answer_sweep_seconds=0.2, digest_enabled=False)
    try:
        draft = rig.service.desk.prepare(
            key="cli-1", channel="cli", question="may I join a group?", user_id="u"
        )
        assert draft is not None
        # Stored the way `advisor tickets ask` stores it: no listener of this server hears of it.
        ticket, made = rig.service.desk.store.create(draft, datetime.now(UTC))
        assert made
        card = card_of(next_to(rig, OWNERS, 1))
        assert "Ticket #1 · open" in texts(card) and "via cli" in texts(card)
        rig.connector.until(lambda: "ts" in (rig.service.desk.get(1).cards.get("teams") or {}))  # type: ignore[union-attr]
        assert len(rig.connector.to(OWNERS)) == 1
    finally:
        rig.close()


def test_owners_channels_by_topic_and_language(tmp_path: Path) -> None:
    hebrew, security = "19:hebrew-owners@thread.tacv2", "19:security@thread.tacv2"
    routes = {"he": hebrew, "account-taken-over": security}
    rig = TeamsRig(tmp_path, teams_owner_channel=OWNERS, teams_owner_routes=routes, digest_enabled=False)
    try:
        say(rig, "ask-owner מותר לי לפרסם את מפת הדרכים?")
        form = card_of(next_to(rig, PERSONAL, 1))
        submit(rig, action(form, "ticket-send")["data"] | {"question": field(form, "question")["value"]})
        assert "Ticket #1 · open" in texts(card_of(next_to(rig, hebrew, 1)))
        submit(
            rig,
            {
                "advisor": "ticket-ask",
                "q": "someone took over my account",
                "l": "en",
                "t": "account-taken-over",
                "u": 1,
            },
        )
        form = card_of(next_to(rig, PERSONAL, 3))
        submit(rig, action(form, "ticket-send")["data"] | {"question": field(form, "question")["value"]})
        assert "URGENT" in texts(card_of(next_to(rig, security, 1)))
        assert rig.connector.to(OWNERS) == []
        # An owner acts from the channel the card is in.
        submit(
            rig, {"advisor": "ticket-assign", "n": 1}, conversation=f"{hebrew};messageid=1", **{"from": DANA}
        )
        rig.connector.until(lambda: [u for u in rig.connector.updates if u["_conversation"] == hebrew])
        ticket = rig.service.desk.get(1)
        assert ticket is not None and ticket.assignee == "Dana Owner"
    finally:
        rig.close()


def test_a_forged_ask_keeps_only_what_the_advisor_would_have_put_there(rig: TeamsRig) -> None:
    submit(rig, {"advisor": "ticket-ask", "q": ["not", "text"], "l": "xx", "t": "x" * 500, "i": 7})
    form = card_of(next_to(rig, PERSONAL, 1))
    data = action(form, "ticket-send")["data"]
    assert "t" not in data and "i" not in data and data["l"] == "en"
    assert field(form, "question")["value"] == ""
    submit(rig, data | {"question": "may I post our roadmap?", "t": "y" * 500, "i": {"a": 1}})
    assert next_to(rig, PERSONAL, 2)["text"].startswith("Sent to the policy owner as ticket #1.")
    ticket = rig.service.desk.get(1)
    assert ticket is not None and ticket.topic is None and ticket.question_id is None
