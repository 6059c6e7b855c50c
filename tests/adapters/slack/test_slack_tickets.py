"""Asking the policy owner in Slack, through the real Bolt app on the real server, against the
recording stand-in for Slack's Web API: the confirmation modal, one ticket per submission, the
owner's card updated in place, the answer back in the asker's thread, and a card that waits for
an unreachable owners' channel."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live import send
from tests.slackkit import SlackRig, texts_of

OWNERS = "C0OWNERS"
OWNER = {"id": "U0DANA", "username": "dana", "name": "dana", "team_id": "T0001"}


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[SlackRig]:
    made = SlackRig(tmp_path, slack_owner_channel=OWNERS, ticket_retry_seconds=0.2, digest_enabled=False)
    yield made
    made.close()


def wait(condition: Any, timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("never happened")


def text(payload: dict[str, Any]) -> str:
    return "\n".join(texts_of(payload))


def cards(rig: SlackRig) -> list[dict[str, Any]]:
    return [p for p in rig.api.of("chat.postMessage") if p.get("channel") == OWNERS]


def button(payload: dict[str, Any], action_id: str) -> dict[str, Any]:
    for block in payload.get("blocks", []):
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} in {payload}")


def ask_from_a_decline(rig: SlackRig) -> dict[str, Any]:
    """A declined question in a DM thread, then "Ask the policy owner" under it: the modal."""
    assert rig.command("what is the weather tomorrow? mail me at alex@example.com").status == 200
    reply = wait(lambda: rig.api.of("respond:cmd"))[-1]
    ask = button(reply, "advisor:ticket-ask")
    assert json.loads(ask["value"])["q"].startswith("what is the weather tomorrow?")
    rig.click("advisor:ticket-ask", json.loads(ask["value"]))
    return wait(lambda: rig.api.of("views.open"))[-1]["view"]


def test_the_asker_confirms_and_the_owner_assigns_answers_and_closes(rig: SlackRig) -> None:
    modal = ask_from_a_decline(rig)
    shown = text(modal) + json.dumps(modal["blocks"], ensure_ascii=False)
    assert "The policy owner will see this" in shown and "alex" in shown
    assert "what is the weather tomorrow? mail me at [email]" in shown and "alex@example.com" not in shown
    question = modal["blocks"][2]["element"]["initial_value"]
    submitted = rig.submit(
        modal["callback_id"], modal["private_metadata"], {"question": question, "note": "soon"}
    )
    assert submitted.status == 200
    [card] = wait(lambda: cards(rig))
    assert "Ticket #1 · open" in text(card) and "[email]" in text(card) and "Note:* soon" in text(card)
    sent = wait(lambda: [p for p in rig.api.of("chat.postMessage") if "ticket #1" in text(p)])
    assert sent[0]["channel"] == "D0001" and "thread_ts" not in sent[0]  # a DM: no thread
    # The same modal submitted again (a double click, a retry): the same ticket, nothing new.
    rig.submit(modal["callback_id"], modal["private_metadata"], {"question": question})
    rig.settle()
    assert len(cards(rig)) == 1 and rig.service.desk.get(2) is None

    card_ts = wait(lambda: (rig.service.desk.get(1).cards.get("slack") or {}).get("ts"))  # type: ignore[union-attr]
    rig.click("advisor:ticket-assign", {"n": 1}, user=OWNER, channel={"id": OWNERS, "name": "owners"})
    update = wait(lambda: rig.api.of("chat.update"))[-1]
    assert (update["channel"], update["ts"]) == (OWNERS, card_ts)
    assert "Ticket #1 · assigned" in text(update) and "assigned by dana" in text(update)
    wait(lambda: [p for p in rig.api.of("chat.postMessage") if "dana is looking" in text(p)])

    rig.click("advisor:ticket-answer", {"n": 1}, user=OWNER, channel={"id": OWNERS, "name": "owners"})
    answer_view = wait(
        lambda: [v["view"] for v in rig.api.of("views.open") if "Answer" in v["view"]["title"]["text"]]
    )[-1]
    refused = rig.submit(
        answer_view["callback_id"], answer_view["private_metadata"], {"answer": "  ", "lang": "=en"}, OWNER
    )
    assert json.loads(refused.body)["errors"]["answer"] == "Write the answer first."
    rig.submit(
        answer_view["callback_id"],
        answer_view["private_metadata"],
        {"answer": "No: we cannot help with weather.", "lang": "=en"},
        OWNER,
    )
    delivered = wait(
        lambda: [p for p in rig.api.of("chat.postMessage") if "No: we cannot help with weather." in text(p)]
    )
    assert delivered[0]["channel"] == "D0001" and "the policy owner answered" in text(delivered[0])
    wait(lambda: "Ticket #1 · answered" in text(rig.api.of("chat.update")[-1]))
    helpful = button(delivered[0], "advisor:ticket-rate:helpful")
    rig.click(helpful["action_id"], json.loads(helpful["value"]), user=OWNER)  # not the asker's to rate
    rig.click(helpful["action_id"], json.loads(helpful["value"]))
    wait(lambda: [p for p in rig.api.of("chat.postMessage") if "will see your rating" in text(p)])
    ratings = [e.by for e in rig.service.desk.get(1).history if e.action == "rated helpful"]  # type: ignore[union-attr]
    assert ratings == ["asker"]

    rig.click("advisor:ticket-close", {"n": 1}, user=OWNER, channel={"id": OWNERS, "name": "owners"})
    closed = wait(lambda: [u for u in rig.api.of("chat.update") if "Ticket #1 · closed" in text(u)])[-1]
    button(closed, "advisor:ticket-reopen")
    assert len(cards(rig)) == 1  # every change updated the one card

    rig.command("my-questions", user_id="U0001")
    mine = wait(lambda: [p for p in rig.api.of("respond:cmd") if "Your questions" in text(p)])
    assert "#1 · closed · what is the weather tomorrow?" in text(mine[0])
    assert "No: we cannot help with weather." in text(mine[0])


def test_my_questions_lists_the_askers_own(rig: SlackRig) -> None:
    assert (
        rig.command("ask-owner מותר לי לפרסם את מפת הדרכים?", user_id="U0001", user_name="alex").status == 200
    )
    modal = wait(lambda: rig.api.of("views.open"))[-1]["view"]
    assert "זה מה שהאחראי על המדיניות יראה" in text(modal)
    rig.submit(
        modal["callback_id"],
        modal["private_metadata"],
        {"question": modal["blocks"][2]["element"]["initial_value"]},
    )
    # From a channel, the news goes to the asker's DM (their user id).
    sent = wait(lambda: [p for p in rig.api.of("chat.postMessage") if "פנייה מס' 1" in text(p)])
    assert sent[0]["channel"] == "U0001"
    rig.command("my-questions", user_id="U0001")
    listed = wait(lambda: [p for p in rig.api.of("respond:cmd") if "#1" in text(p)])
    assert "מותר לי לפרסם את מפת הדרכים?" in text(listed[0])
    rig.command("my-questions", user_id="U0OTHER")
    none = wait(lambda: [p for p in rig.api.of("respond:cmd") if "not asked the policy owner" in text(p)])
    assert none
    rig.command("ask-owner", user_id="U0001")
    wait(lambda: [p for p in rig.api.of("respond:cmd") if "Write your question after ask-owner" in text(p)])
    empty = rig.submit(modal["callback_id"], json.dumps({"k": "other", "l": "en"}), {"question": " ?! "})
    assert "Write your question" in json.loads(empty.body)["errors"]["question"]


def test_an_unreachable_owners_channel_keeps_the_ticket_and_retries(rig: SlackRig) -> None:
    rig.api.fail("chat.postMessage", (200, {}), (200, {}), (200, {}))
    rig.command("ask-owner may I post our roadmap?", user_id="U0001", user_name="alex")
    modal = wait(lambda: rig.api.of("views.open"))[-1]["view"]
    rig.submit(modal["callback_id"], modal["private_metadata"], {"question": "may I post our roadmap?"})
    ticket = wait(lambda: rig.service.desk.get(1))
    assert ticket.status == "open"
    waiting = wait(lambda: rig_metric(rig, "advisor_ticket_cards_waiting"))
    assert waiting == 1.0  # visible while the owners' channel refuses
    posted = wait(
        lambda: "ts" in (rig.service.desk.get(1).cards.get("slack") or {}) and rig.service.desk.get(1)
    )  # type: ignore[union-attr]
    where = posted.cards["slack"]
    tries = cards(rig)
    assert len(tries) >= 3 and "Ticket #1 · open" in text(tries[-1])
    assert where["ts"] and where["channel"] == OWNERS
    assert rig_metric(rig, "advisor_ticket_card_failures") >= 2
    assert rig_metric(rig, "advisor_ticket_cards_waiting") == 0.0


def rig_metric(rig: SlackRig, name: str) -> float:
    body = send(rig.port, "/metrics", method="GET").body.decode()
    [line] = [x for x in body.splitlines() if x.startswith(name + '{platform="slack"}')]
    return float(line.split()[-1])


@pytest.mark.parametrize("feedback", ["not_helpful", "none"])
def test_not_helpful_and_none_of_these_offer_the_policy_owner(rig: SlackRig, feedback: str) -> None:
    rig.click(f"advisor:{feedback}", {"q": "a" * 32})
    thanks = wait(
        lambda: [p for p in rig.api.of("chat.postMessage") if "advisor:ticket-ask" in json.dumps(p)]
    )
    assert thanks[0]["thread_ts"] == "1800000000.000001"  # under the answer it was about
    value = json.loads(button(thanks[0], "advisor:ticket-ask")["value"])
    rig.click("advisor:ticket-ask", value)
    modal = wait(lambda: rig.api.of("views.open"))[-1]["view"]
    assert "initial_value" not in modal["blocks"][2]["element"]  # the asker writes it
    meta = json.loads(modal["private_metadata"])
    assert (meta["i"], meta["c"], meta["th"]) == ("a" * 32, "D0001", None)


def test_two_replicas_on_one_postgresql_make_one_ticket_and_one_card(tmp_path: Path, pg_url: str) -> None:
    options = {"slack_owner_channel": OWNERS, "digest_enabled": False}
    first = SlackRig(tmp_path / "a", database_url=pg_url, **options)
    second = SlackRig(tmp_path / "b", database_url=pg_url, slack=first, **options)
    try:
        first.command("ask-owner may I share the launch date?", user_id="U0001", user_name="alex")
        modal = wait(lambda: first.api.of("views.open"))[-1]["view"]
        values = {"question": "may I share the launch date?"}
        # Slack delivers the one submission to both replicas (a retry through the load balancer).
        for replica in (first, second, first):
            assert replica.submit(modal["callback_id"], modal["private_metadata"], values).status == 200
        [card] = wait(lambda: cards(first))
        ticket = wait(
            lambda: "ts" in (first.service.desk.get(1).cards.get("slack") or {}) and first.service.desk.get(1)
        )  # type: ignore[union-attr]
        assert second.service.desk.get(2) is None and "Ticket #1 · open" in text(card)
        # The owner's click reaches the other replica: it updates the card the first one posted.
        second.click("advisor:ticket-assign", {"n": 1}, user=OWNER, channel={"id": OWNERS, "name": "owners"})
        update = wait(lambda: first.api.of("chat.update"))[-1]
        assert update["ts"] == ticket.cards["slack"]["ts"] and "assigned by dana" in text(update)
        first.settle()
        second.settle()
        assert len(cards(first)) == 1
    finally:
        second.close()
        first.close()


def test_an_incident_opens_an_urgent_ticket_that_goes_first(rig: SlackRig) -> None:
    from tests.slackkit import fixture

    early = rig.service.desk.prepare(key="early", channel="cli", question="may I join a group?", user_id="U9")
    assert early is not None
    rig.service.desk.open(early)
    rig.post(fixture("event_dm", text="someone took over my linkedin account, they post in my name"))
    answer = wait(
        lambda: [p for p in rig.api.of("chat.postMessage") if "advisor:ticket-ask" in json.dumps(p)]
    )[0]
    report = button(answer, "advisor:ticket-ask")
    assert report["style"] == "danger" and "Tell the policy owner now" in report["text"]["text"]
    value = json.loads(report["value"])
    assert (value["t"], value["u"]) == ("account-taken-over", 1)
    rig.click("advisor:ticket-ask", value)
    modal = wait(lambda: rig.api.of("views.open"))[-1]["view"]
    assert "Urgent: the policy owner sees it first." in text(modal)
    [question] = [b for b in modal["blocks"] if b.get("block_id") == "question"]
    rig.submit(
        modal["callback_id"], modal["private_metadata"], {"question": question["element"]["initial_value"]}
    )
    card = wait(lambda: [c for c in cards(rig) if "URGENT" in text(c)])[0]
    assert "🚨 URGENT · 🟡 Ticket #2 · open" in text(card) and "account-taken-over" in text(card)
    from bot.tickets.records import TicketFilter

    listed = rig.service.desk.list(TicketFilter())
    assert [(t.number, t.urgent) for t in listed] == [(2, True), (1, False)]


def test_a_ticket_opened_elsewhere_gets_one_card_from_the_replicas_sweeps(
    tmp_path: Path, pg_url: str
) -> None:
    from bot.querylog.pseudonyms import Pseudonymizer
    from bot.querylog.sql import SqlQueryLog
    from bot.tickets.desk import Desk
    from bot.tickets.sql import SqlTicketStore

    options = {"slack_owner_channel": OWNERS, "digest_enabled": False, "answer_sweep_seconds": 0.2}
    first = SlackRig(tmp_path / "a", database_url=pg_url, **options)
    second = SlackRig(tmp_path / "b", database_url=pg_url, slack=first, **options)
    elsewhere = SqlQueryLog(pg_url)  # as `advisor tickets ask` does: no server involved
    try:
        desk = Desk(SqlTicketStore(elsewhere.engine), Pseudonymizer(b"k" * 32))
        draft = desk.prepare(key="cli-1", channel="cli", question="may I post the org chart?", user_id="U7")
        assert draft is not None
        desk.open(draft)
        [card] = wait(lambda: cards(first))
        assert "Ticket #1 · open" in text(card)
        stored = wait(lambda: "ts" in (desk.get(1).cards.get("slack") or {}) and desk.get(1))  # type: ignore[union-attr]
        assert stored.cards["slack"]["ts"] and stored.to_dict()["delivered_to"] == ["slack"]
        time.sleep(1.0)  # several sweeps of both replicas
        first.settle()
        second.settle()
        assert len(cards(first)) == 1
    finally:
        elsewhere.engine.dispose()
        second.close()
        first.close()


def test_owners_channels_by_topic_and_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.config import load_settings

    monkeypatch.setenv("ADVISOR_SLACK_OWNER_ROUTES", '{"he": "C0HEB", "fake-profile": "C0SEC"}')
    assert load_settings().slack.owner_routes == {"he": "C0HEB", "fake-profile": "C0SEC"}
    routes = {"he": "C0HEB", "fake-profile": "C0SEC"}
    rig = SlackRig(tmp_path, slack_owner_channel=OWNERS, slack_owner_routes=routes, digest_enabled=False)
    try:
        desk = rig.service.desk
        for key, question, topic in (
            ("a", "מותר לפרסם?", None),
            ("b", "a fake profile uses our name", "fake-profile"),
            ("c", "may I post?", None),
            ("d", "פרופיל מזויף מתחזה אלינו", "fake-profile"),
        ):
            draft = desk.prepare(key=key, channel="cli", question=question, user_id="U1", topic=topic)
            assert draft is not None
            desk.open(draft)
        posted = wait(lambda: len(rig.api.of("chat.postMessage")) >= 4 and rig.api.of("chat.postMessage"))
        where = {text(p).split("Ticket #")[1][0]: p["channel"] for p in posted}
        assert where == {"1": "C0HEB", "2": "C0SEC", "3": OWNERS, "4": "C0SEC"}
        wait(lambda: "ts" in (desk.get(1).cards.get("slack") or {}))  # type: ignore[union-attr]
        rig.click("advisor:ticket-close", {"n": 1}, user=OWNER, channel={"id": "C0HEB", "name": "owners-he"})
        update = wait(lambda: rig.api.of("chat.update"))[-1]
        assert update["channel"] == "C0HEB" and "Ticket #1 · closed" in text(update)
    finally:
        rig.close()


def test_modals_with_metadata_that_is_not_ours_change_nothing_and_crash_nothing(rig: SlackRig) -> None:
    from adapters.slack.ticketblocks import ANSWER_VIEW, CONFIRM_VIEW

    draft = rig.service.desk.prepare(key="m", channel="cli", question="may I?", user_id="U1")
    assert draft is not None
    rig.service.desk.open(draft)
    for metadata in ("not json", "[1, 2]", '{"n": "1"}', '{"n": 1.5}', ""):
        reply = rig.submit(ANSWER_VIEW, metadata, {"answer": "Yes.", "lang": "=xx"}, OWNER)
        assert reply.status == 200
    assert rig.service.desk.get(1).status == "open"  # type: ignore[union-attr]
    sent = rig.submit(CONFIRM_VIEW, "{broken", {"question": "may I share this?"})
    assert sent.status == 200
    ticket = wait(lambda: rig.service.desk.get(2))
    assert (ticket.question, ticket.lang, ticket.contact.conversation) == ("may I share this?", "en", "U0001")
