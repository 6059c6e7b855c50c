"""The dashboard's tickets API over HTTP on the real server: listing, filters, figures, actions,
and what it refuses."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.tickets.desk import Desk
from bot.tickets.schema import tickets
from tests.adapters.web.test_web_api import BEARER, conforms
from tests.webkit import ADMIN_TOKEN, WebRig

JSON = [("Content-Type", "application/json")]


def opened(desk: Desk, key: str, question: str, **fields: object) -> int:
    draft = desk.prepare(key=key, channel="web", question=question, user_id="visitor-1", **fields)  # type: ignore[arg-type]
    assert draft is not None
    ticket, _ = desk.open(draft)
    return ticket.number


def backdate(web: WebRig, number: int, days: int) -> None:
    with web.service.store.engine.begin() as connection:
        connection.execute(
            sa.update(tickets)
            .where(tickets.c.number == number)
            .values(opened_at=datetime.now(UTC) - timedelta(days=days))
        )


def act(web: WebRig, number: int, action: str, body: object, headers: list[tuple[str, str]] | None = None):  # type: ignore[no-untyped-def]
    return web.post(f"/api/admin/tickets/{number}/{action}", body, (headers or BEARER) + JSON)


def test_list_filter_act_and_figures(web: WebRig) -> None:
    desk = web.service.desk
    old = opened(desk, "a", "may I post our roadmap?", topic="confidential-info")
    urgent = opened(desk, "b", "my account was taken over", urgent=True, topic="account-taken-over")
    other = opened(desk, "c", "may I join a group?", topic="join-groups")
    backdate(web, old, 3)
    listed = web.get("/api/admin/tickets", BEARER)
    assert listed.status == 200
    conforms(listed.json(), "TicketList")
    assert [t["number"] for t in listed.json()["tickets"]] == [urgent, old, other]
    assert listed.json()["figures"]["urgent_open"] == 1
    assert listed.json()["tickets"][1]["age_seconds"] >= 3 * 86400

    assert [t["number"] for t in web.get("/api/admin/tickets?older_than=2d", BEARER).json()["tickets"]] == [
        old
    ]
    by_topic = web.get("/api/admin/tickets?topic=join-groups", BEARER).json()["tickets"]
    assert [t["number"] for t in by_topic] == [other]

    taken = act(web, old, "assign", {"by": "Dana"})
    assert taken.status == 200 and taken.json()["changed"] is True
    assert taken.json()["ticket"]["status"] == "assigned"
    assert act(web, old, "assign", {"by": "Dana"}).json()["changed"] is False
    answered = act(web, old, "answer", {"by": "Dana", "text": "לא, זה פנימי.", "lang": "he"})
    assert answered.status == 200
    conforms(answered.json()["ticket"], "Ticket")
    ticket = web.get(f"/api/admin/tickets/{old}", BEARER).json()
    assert (ticket["status"], ticket["answer"], ticket["answer_lang"], ticket["assignee"]) == (
        "answered",
        "לא, זה פנימי.",
        "he",
        "Dana",
    )
    assert ticket["first_response_seconds"] >= 3 * 86400 and ticket["answer_seconds"] >= 3 * 86400
    assert [e["action"] for e in ticket["history"]] == ["opened", "assigned", "answered"]
    unfinished = web.get("/api/admin/tickets?status=open,assigned", BEARER).json()["tickets"]
    assert [t["number"] for t in unfinished] == [urgent, other]
    done = web.get("/api/admin/tickets?status=answered", BEARER).json()
    assert done["figures"]["counts"]["answered"] == 1 and done["figures"]["median_answer_seconds"] > 0
    assert act(web, old, "close", {}).json()["ticket"]["history"][-1]["by"] == "dashboard"
    refused = act(web, old, "answer", {"text": "more"})
    assert refused.status == 409 and "reopen it first" in refused.json()["error"]
    assert act(web, old, "reopen", {"by": "Omer"}).json()["ticket"]["status"] == "assigned"
    assert act(web, other, "answer", {"text": "  "}).status == 400


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/admin/tickets?status=pending", 400),
        ("/api/admin/tickets?older_than=yesterday", 400),
        ("/api/admin/tickets?older_than=99999999d", 400),
        ("/api/admin/tickets?topic=" + "x" * 101, 400),
        ("/api/admin/tickets/999", 404),
        ("/api/admin/tickets/abc", 404),
        ("/api/admin/tickets/99999999999999999999", 404),
    ],
)
def test_bad_queries_get_a_clear_4xx(web: WebRig, path: str, status: int) -> None:
    reply = web.get(path, BEARER)
    assert reply.status == status and reply.json()["error"]


def test_bad_actions_get_a_clear_4xx(web: WebRig) -> None:
    number = opened(web.service.desk, "d", "may I?")
    assert act(web, number, "delete", {}).status == 404
    assert act(web, 999, "close", {}).status == 404
    assert act(web, number, "answer", {"text": 5}).status == 400
    assert act(web, number, "answer", {"text": "x", "lang": "fr"}).status == 400
    assert act(web, number, "close", {"by": ""}).status == 400
    assert act(web, number, "close", {"extra": 1}).status == 400
    assert act(web, number, "close", [1, 2]).status == 400
    assert act(web, number, "close", b"{not json").status == 400
    assert web.post(f"/api/admin/tickets/{number}/close", b"{}", BEARER).status == 415
    surrogate = act(web, number, "answer", b'{"text": "ok \\ud800 then"}')
    assert surrogate.status == 400 and surrogate.json()["field"] == "text"
    assert web.get(f"/api/admin/tickets/{number}", BEARER).json()["status"] == "open"
    nul = act(web, number, "answer", b'{"text": "ok\\u0000 then", "by": "D\\u0000ana"}')
    assert nul.status == 200 and nul.json()["ticket"]["answer"] == "ok then"
    assert nul.json()["ticket"]["assignee"] == "Dana"


def test_tickets_need_the_dashboards_credentials_and_its_own_page(web: WebRig, tmp_path: Path) -> None:
    number = opened(web.service.desk, "e", "may I?")
    for path in ("/api/admin/tickets", f"/api/admin/tickets/{number}"):
        assert web.get(path).status == 401
        assert web.get(path, [("Authorization", "Bearer wrong")]).status == 401
    assert act(web, number, "close", {}, [("Cookie", "advisor_admin=forged")]).status == 401
    login = web.post(
        "/admin/login",
        f"token={ADMIN_TOKEN}".encode(),
        [("Content-Type", "application/x-www-form-urlencoded")],
    )
    session = ("Cookie", login.headers["Set-Cookie"].split(";")[0])
    assert b"<title>Advisor tickets</title>" in web.get("/admin/tickets", [session]).body
    assert b'name="token"' in web.get("/admin/tickets").body
    forged = act(web, number, "close", {}, [session, ("Sec-Fetch-Site", "cross-site")])
    assert forged.status == 403
    assert web.get(f"/api/admin/tickets/{number}", BEARER).json()["status"] == "open"
    own = act(web, number, "close", {"by": "Dana"}, [session, ("Sec-Fetch-Site", "same-origin")])
    assert own.status == 200 and own.json()["ticket"]["status"] == "closed"
    off = WebRig(tmp_path / "off", admin_token=None)
    try:
        assert off.get("/admin/tickets").status == 404
        assert off.get("/api/admin/tickets", BEARER).status == 404
    finally:
        off.close()


def test_nothing_of_the_askers_platform_ids_is_served(web: WebRig) -> None:
    from bot.tickets.records import Contact  # noqa: PLC0415

    number = opened(
        web.service.desk, "f", "may I?", contact=Contact("slack", "U0SECRET", "D0SECRET", None, "Alice")
    )
    body = json.dumps(web.get("/api/admin/tickets", BEARER).json()) + json.dumps(
        web.get(f"/api/admin/tickets/{number}", BEARER).json()
    )
    assert "Alice" in body and "U0SECRET" not in body and "D0SECRET" not in body
