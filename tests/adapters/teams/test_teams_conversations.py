"""What people get in Teams, through the real server, CloudAdapter and a recording connector."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from tests.live import slow_claims
from tests.teamskit import TeamsRig, activity


def card_of(reply: dict) -> dict:  # type: ignore[type-arg]
    [attachment] = reply["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachment["content"]


def test_one_to_one_question_gets_a_card(teams: TeamsRig) -> None:
    reply = teams.post(activity("message_personal"))
    assert reply.status in (200, 201), reply.body
    [sent] = teams.connector.wait_for(1)
    assert sent["_path"] == "/v3/conversations/a:1PersonalConversationId/activities/1700000000001"
    assert sent["_auth"] == "Bearer outbound-test-token"
    card = card_of(sent)
    assert card["version"] == "1.5" and card["body"][0]["text"].startswith("⛔ Don't · Social\\-network apps")
    assert card["body"][0]["color"] == "attention"
    titles = [a["title"] for a in card["actions"]]
    assert titles[:2] == ["Helpful", "Not helpful"]
    assert card["actions"][-1]["data"] == {"advisor": "checklist", "c": "install-app", "l": "en"}
    [row] = teams.rows()
    assert row.channel == "teams" and row.topic == "install-apps"


def test_a_channel_mention_is_stripped_and_answered(teams: TeamsRig) -> None:
    assert teams.post(activity("message_channel_mention")).status in (200, 201)
    [sent] = teams.connector.wait_for(1)
    assert card_of(sent)["body"][0]["text"].startswith("⚠️ Think first · Joining groups")
    assert "<at>" not in json.dumps(sent)


def test_hebrew_gets_a_hebrew_right_to_left_card(teams: TeamsRig) -> None:
    teams.post(activity("message_personal", text="ולהצטרף לקבוצה בלינקדאין?"))
    card = card_of(teams.connector.wait_for(1)[0])
    assert card["rtl"] is True and card["body"][0]["text"].startswith("✅ אפשר")
    assert [a["title"] for a in card["actions"]][:2] == ["עזר לי", "לא עזר"]


def test_feedback_pick_and_checklist_actions(teams: TeamsRig) -> None:
    teams.post(activity("message_personal", text="facebook"))
    card = card_of(teams.connector.wait_for(1)[0])
    pick = card["actions"][1]["data"]
    assert pick["advisor"] == "topic" and pick["r"]
    assert card["actions"][-1]["data"]["advisor"] == "none"
    teams.post(activity("card_action", id="a2", value=pick))
    answered = card_of(teams.connector.wait_for(2)[1])
    question_id = answered["actions"][0]["data"]["q"]
    teams.post(activity("card_action", id="a3", value={"advisor": "not_helpful", "q": question_id}))
    assert "Thanks for the feedback" in teams.connector.wait_for(3)[2]["text"]
    assert teams.connector.replies[2]["textFormat"] == "plain"
    from tests.slackkit import EVER

    teams.service.writer.flush(5)
    feedback = teams.service.store.feedback(*EVER)
    assert {(f.picked, f.helpful) for f in feedback} == {(pick["t"], None), (None, False)}
    assert len(teams.rows()) == 1


def test_checklist_card_with_toggles_and_submit(teams: TeamsRig) -> None:
    teams.post(activity("message_personal", text="checklist join-group"))
    card = card_of(teams.connector.wait_for(1)[0])
    toggles = [e for e in card["body"] if e["type"] == "Input.Toggle"]
    assert len(toggles) == 5 and toggles[0]["id"] == "item:network-kind"
    assert card["actions"][0]["data"] == {"advisor": "done", "c": "join-group", "l": "en"}
    submitted = {
        "advisor": "done",
        "c": "join-group",
        "l": "en",
        "item:network-kind": "true",
        "item:who-sees": "false",
        "item:business-profile": "true",
        "item:members-learn": "true",
        "item:leave-if-mixed": "false",
    }
    teams.post(activity("card_action", id="a9", value=submitted))
    summary = json.dumps(card_of(teams.connector.wait_for(2)[1]), ensure_ascii=False)
    assert "You left 2 of 5 unticked" in summary and "Joining shows you" in summary


def test_welcome_when_added(teams: TeamsRig) -> None:
    teams.post(activity("conversation_update"))
    card = card_of(teams.connector.wait_for(1)[0])
    texts = [b["text"] for b in card["body"]]
    assert texts[0] == "What the advisor can do" and any("היי" in t for t in texts)
    teams.post(activity("conversation_update", id="f:2", locale="he-IL"))
    hebrew = card_of(teams.connector.wait_for(2)[1])
    assert hebrew["body"][0]["text"] == "במה היועץ יכול לעזור" and hebrew["rtl"] is True


def test_commands_from_the_menu(teams: TeamsRig) -> None:
    teams.post(activity("message_personal", text="help"))
    teams.post(activity("message_personal", id="m2", text="ask who should see my business details?"))
    teams.post(activity("message_personal", id="m3", text="checklist"))
    replies = teams.connector.wait_for(3)
    assert card_of(replies[0])["body"][0]["text"].endswith("What the advisor can do")
    assert "Who should see" in card_of(replies[1])["body"][0]["text"]
    assert len(card_of(replies[2])["actions"]) == 6


def test_replies_share_one_connector_client(teams: TeamsRig) -> None:
    """CloudAdapter asks for a connector client per activity; the same one (and its HTTP
    connection) serves every activity from a service URL."""
    for n in range(3):
        reply = teams.post(activity("message_personal", id=f"reuse-{n}", text="should I join this group?"))
        assert reply.status in (200, 201), reply.body
    sent = teams.connector.wait_for(3)
    assert len(sent) == 3 and len({r["_peer"] for r in sent}) == 1
    assert len(teams.adapter.auth.connectors) == 1 and len(teams.adapter.auth.token_clients) == 1


def test_a_redelivered_activity_is_answered_once(teams: TeamsRig) -> None:
    message = activity("message_personal")
    assert teams.post(message).status in (200, 201)
    assert teams.post(message).status in (200, 201)
    teams.connector.wait_for(1)
    time.sleep(0.3)
    assert len(teams.connector.replies) == 1 and len(teams.rows()) == 1


def test_a_slow_database_does_not_hold_up_the_answer(tmp_path: Path) -> None:
    """Teams waits about 15 s for the answer: a database that takes 20 s to decide which
    replica answers must not hold it up past the claim's deadline."""
    rig = TeamsRig(tmp_path, claim_timeout_seconds=0.5)
    release, decided = threading.Event(), threading.Event()

    def stuck() -> None:
        release.wait(20)
        decided.set()

    try:
        with slow_claims(rig.service.deliveries.claims, stuck):
            assert rig.post(activity("message_personal")).status in (200, 201)
            # Answered while the database has not yet said who answers.
            assert len(rig.connector.wait_for(1)) == 1 and not decided.is_set()
            release.set()
            assert len(rig.rows()) == 1
    finally:
        release.set()
        rig.close()


def test_replies_do_not_wait_for_the_default_thread_pool(teams: TeamsRig) -> None:
    """Replies go out with aiohttp on the event loop (msrest's default sends them with requests
    on a thread of the default pool): with every thread of that pool busy, a question is still
    answered in its request."""
    release, finished = threading.Event(), threading.Event()

    def hold() -> None:
        release.wait(30)
        finished.set()

    async def occupy() -> None:
        import asyncio
        from concurrent.futures import ThreadPoolExecutor

        loop = asyncio.get_running_loop()
        loop.set_default_executor(ThreadPoolExecutor(max_workers=1))
        loop.run_in_executor(None, hold)

    teams.loop.run(occupy())
    try:
        reply = teams.post(activity("message_personal", id="busy-pool"))
        assert reply.status in (200, 201), reply.body
        assert not finished.is_set()  # answered while the pool's one thread was still taken
        [sent] = teams.connector.replies
        assert sent["_auth"] == "Bearer outbound-test-token"
        assert card_of(sent)["body"][0]["text"].startswith("⛔ Don't · Social\\-network apps")
    finally:
        release.set()


def test_an_unreachable_connector_fails_the_turn_cleanly(tmp_path: Path) -> None:
    rig = TeamsRig(tmp_path)
    try:
        rig.service_url = "http://127.0.0.1:9/"  # nothing listens on the discard port
        reply = rig.post(activity("message_personal", id="nowhere"))
        assert reply.status == 500 and json.loads(reply.body) == {"error": "internal error"}
        assert rig.connector.replies == []
        [row] = rig.rows()
        assert row.topic == "install-apps"
        # The next question, with the connector reachable, is answered as usual.
        rig.service_url = f"http://127.0.0.1:{rig.connector.port}/"
        assert rig.post(activity("message_personal", id="back")).status in (200, 201)
        assert len(rig.connector.wait_for(1)) == 1
    finally:
        rig.close()


def test_the_sender_tries_again_when_it_cannot_connect() -> None:
    """A connector that refuses the first connection (restarting, say) gets the request on the
    next try; nothing had been sent, so nothing goes twice."""
    import asyncio
    import socket

    from aiohttp import web
    from msrest.pipeline import Request
    from msrest.universal_http import ClientRequest

    from adapters.teams.auth import Sender

    async def scenario() -> None:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))  # bound, not yet listening: connections are refused
        port = sock.getsockname()[1]
        seen: list[object] = []

        async def reply(request: web.Request) -> web.Response:
            seen.append(await request.json())
            return web.json_response({"id": "reply-1"})

        app = web.Application()
        app.router.add_post("/v3/conversations/c/activities", reply)
        runner = web.AppRunner(app)
        await runner.setup()

        async def listen_soon() -> None:
            await asyncio.sleep(0.2)
            await web.SockSite(runner, sock).start()

        sender = Sender()
        http = ClientRequest("POST", f"http://127.0.0.1:{port}/v3/conversations/c/activities")
        http.add_content({"type": "message", "text": "hello"})
        listening = asyncio.create_task(listen_soon())
        try:
            response = await sender.send(Request(http))
        finally:
            await listening
            await sender.close()
            await runner.cleanup()
        assert response.http_response.status_code == 200
        assert json.loads(response.http_response.text()) == {"id": "reply-1"}
        assert seen == [{"type": "message", "text": "hello"}]

    asyncio.run(scenario())
