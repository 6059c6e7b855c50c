"""Teaching from the dashboard over HTTP on the real server: an example or an owner's entry from
a ticket, served by the page's advisor once rebuilt in the background, and withdrawn again; the
audit; and what is refused, in the owner's language."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.adapters.web.test_web_api import BEARER, conforms
from tests.adapters.web.test_web_tickets import act, opened
from tests.live import Reply, send
from tests.webkit import ADMIN_TOKEN, WebRig

JSON = [("Content-Type", "application/json")]
LAUNCH = "may I livestream our product launch on TikTok?"


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[WebRig]:
    web = WebRig(tmp_path, matcher="lexical", learned_refresh_seconds=0.2)
    yield web
    web.close()


def learn(web: WebRig, body: object, headers: list[tuple[str, str]] | None = None) -> Any:
    return web.post("/api/admin/learned", body, (headers if headers is not None else BEARER) + JSON)


def withdraw(web: WebRig, query: str, headers: list[tuple[str, str]] | None = None) -> Reply:
    return send(
        web.port,
        f"/api/admin/learned/{query}",
        method="DELETE",
        headers=BEARER if headers is None else headers,
    )


def eventually(
    ask: str, topic: str, web: WebRig, deadline: float = 120.0, served: bool = True
) -> dict[str, Any]:
    """The page's answer to ``ask`` once it is about ``topic`` (the rebuild is in the background);
    with ``served`` False, once it is not."""
    until = time.monotonic() + deadline
    while True:
        answer: dict[str, Any] = web.post("/api/ask", {"question": ask}).json()
        if (answer["topic"] == topic) == served or time.monotonic() > until:
            return answer
        time.sleep(0.2)


def test_an_entry_published_from_a_ticket_is_served_and_audited(rig: WebRig) -> None:
    number = opened(rig.service.desk, "k1", LAUNCH)
    assert (
        act(
            rig, number, "answer", {"by": "Dana", "text": "No: launches stream only on our own channels."}
        ).status
        == 200
    )
    before = rig.post("/api/ask", {"question": "can we stream the product launch on tiktok?"}).json()
    assert before["topic"] != f"owner-{number}"
    body = {
        "ticket": number,
        "by": "Dana",
        "publish": {
            "variants": {"en": ["can we stream the launch on tiktok"], "he": ["מותר לשדר את ההשקה בטיקטוק?"]},
            "verdict": "no",
        },
    }
    published = learn(rig, body)
    assert published.status == 201, published.json()
    conforms(published.json(), "LearnResult")
    entry = published.json()["learned"]
    assert (entry["topic"], entry["by"], entry["ticket"], entry["verdict"]) == (
        f"owner-{number}",
        "Dana",
        number,
        "no",
    )
    assert entry["variants"] == {
        "en": [LAUNCH, "can we stream the launch on tiktok"],
        "he": ["מותר לשדר את ההשקה בטיקטוק?"],
    }
    assert entry["answer"] == {"en": "No: launches stream only on our own channels."}
    again = learn(rig, body)
    assert (again.status, again.json()["changed"]) == (200, False)

    answer = eventually("can we livestream the product launch on TikTok?", f"owner-{number}", rig)
    assert (answer["topic"], answer["source"], answer["verdict"]) == (f"owner-{number}", "Policy owner", "no")
    assert answer["text"] == "No: launches stream only on our own channels."
    assert answer["source_label"] == "Source: the policy owner"
    hebrew = eventually("מותר לשדר את ההשקה שלנו בטיקטוק?", f"owner-{number}", rig)
    assert hebrew["text"] == "No: launches stream only on our own channels."

    listed = rig.get("/api/admin/learned", BEARER)
    assert listed.status == 200
    [item] = listed.json()["learned"]
    conforms(item, "Learned")
    assert item["topic"] == f"owner-{number}" and item["by"] == "Dana"


def test_an_example_from_a_ticket_trains_its_topic(rig: WebRig) -> None:
    number = opened(rig.service.desk, "k2", "is the alumni whatsapp group of my university ok to be in")
    added = learn(rig, {"ticket": number, "by": "Dana", "example_of": "join-groups"})
    assert added.status == 201, added.json()
    assert added.json()["learned"]["text"] == "is the alumni whatsapp group of my university ok to be in"
    again = learn(rig, {"ticket": number, "by": "Eli", "example_of": "join-groups"})
    assert (again.status, again.json()["changed"], again.json()["learned"]["by"]) == (200, False, "Dana")
    assert len(rig.get("/api/admin/learned", BEARER).json()["learned"]) == 1


@pytest.mark.parametrize(
    ("body", "status", "reason", "message"),
    [
        ({"ticket": 999, "example_of": "join-groups"}, 404, None, "no such ticket"),
        ({"ticket": "{n}"}, 400, None, "give either example_of or publish"),
        ({"ticket": "{n}", "example_of": "join-groups", "publish": {"verdict": "no"}}, 400, None, None),
        (
            {"ticket": "{n}", "example_of": "no-such-topic", "lang": "he"},
            400,
            "unknown-topic",
            "אין נושא no-such-topic",
        ),
        ({"ticket": "{n}", "example_of": "greeting"}, 400, "not-advice", "greeting is not an advice topic"),
        ({"ticket": "{n}", "publish": {"verdict": "no", "answer": {"en": " "}}}, 400, "no-answer", None),
        ({"ticket": "{n}", "publish": {"verdict": "no", "topic": "join-groups"}}, 409, "taken", None),
        (
            {"ticket": "{n}", "publish": {"verdict": "no", "variants": {"en": ["x " * 300]}}},
            400,
            "too-long",
            None,
        ),
        ({"ticket": "{n}", "publish": {"verdict": "maybe"}}, 400, None, None),
        ({"ticket": "{n}", "by": "", "example_of": "join-groups"}, 400, None, None),
    ],
)
def test_what_cannot_be_learned_gets_a_clear_4xx_and_nothing_is_stored(
    rig: WebRig, body: dict[str, Any], status: int, reason: str | None, message: str | None
) -> None:
    number = opened(rig.service.desk, "k3", "should I join this facebook group about our market?")
    act(rig, number, "answer", {"text": "With care."})
    sent = {k: (number if v == "{n}" else v) for k, v in body.items()}
    refused = learn(rig, sent)
    assert refused.status == status
    assert refused.json().get("reason") == reason
    if message is not None:
        assert refused.json()["error"] == message
    assert rig.get("/api/admin/learned", BEARER).json()["learned"] == []


def test_teaching_needs_the_sign_in_and_the_dashboards_own_page(rig: WebRig) -> None:
    number = opened(rig.service.desk, "k4", "may I join a group?")
    assert learn(rig, {"ticket": number, "example_of": "join-groups"}, headers=[]).status == 401
    assert rig.get("/api/admin/learned").status == 401
    assert rig.service.teacher.learned().examples == ()


def test_a_withdrawn_entry_is_no_longer_served_and_stays_in_the_audit(rig: WebRig) -> None:
    number = opened(rig.service.desk, "k5", LAUNCH)
    act(rig, number, "answer", {"by": "Dana", "text": "No: launches stream only on our own channels."})
    published = learn(rig, {"ticket": number, "by": "Dana", "publish": {"verdict": "no"}})
    assert published.status == 201, published.json()
    entry = published.json()["learned"]
    assert entry["withdrawn"] is None
    assert eventually(LAUNCH, f"owner-{number}", rig)["topic"] == f"owner-{number}"

    withdrawn = withdraw(rig, f"{entry['id']}?by=Eli")
    assert withdrawn.status == 200, withdrawn.json()
    conforms(withdrawn.json(), "LearnResult")
    assert withdrawn.json()["changed"] is True
    assert withdrawn.json()["learned"]["withdrawn"]["by"] == "Eli"
    answer = eventually(LAUNCH, f"owner-{number}", rig, served=False)
    assert answer["topic"] != f"owner-{number}" and answer["source"] != "Policy owner"
    [item] = rig.get("/api/admin/learned", BEARER).json()["learned"]
    conforms(item, "Learned")
    assert (item["id"], item["by"], item["withdrawn"]["by"]) == (entry["id"], "Dana", "Eli")

    again = withdraw(rig, f"{entry['id']}?by=Dana")
    assert (again.status, again.json()["reason"]) == (409, "withdrawn")
    assert again.json()["error"].startswith("it was withdrawn already (Eli, ")
    hebrew = withdraw(rig, f"{entry['id']}", BEARER + [("Accept-Language", "he-IL")])
    assert hebrew.status == 409 and hebrew.json()["error"].startswith("זה כבר הוסר (Eli, ")
    unknown = withdraw(rig, "999?lang=he")
    assert (unknown.status, unknown.json()["reason"]) == (404, "unknown-item")
    assert unknown.json()["error"] == "אין דבר נלמד עם המזהה 999"
    assert withdraw(rig, "nine").status == 404
    assert withdraw(rig, f"{entry['id']}?lang=fr").status == 400
    [still] = rig.get("/api/admin/learned", BEARER).json()["learned"]
    assert still["withdrawn"] == item["withdrawn"]


def test_withdrawing_needs_the_sign_in_and_the_dashboards_own_page(rig: WebRig) -> None:
    number = opened(rig.service.desk, "k6", "is the alumni whatsapp group of my university ok to be in")
    added = learn(rig, {"ticket": number, "example_of": "join-groups"}).json()["learned"]
    assert withdraw(rig, str(added["id"]), headers=[]).status == 401
    login = rig.post(
        "/admin/login",
        f"token={ADMIN_TOKEN}".encode(),
        [("Content-Type", "application/x-www-form-urlencoded")],
    )
    session = ("Cookie", login.headers["Set-Cookie"].split(";")[0])
    assert withdraw(rig, str(added["id"]), [session, ("Sec-Fetch-Site", "cross-site")]).status == 403
    assert [e.id for e in rig.service.teacher.learned().examples] == [added["id"]]
    own = withdraw(rig, f"{added['id']}?by=Dana", [session, ("Sec-Fetch-Site", "same-origin")])
    assert own.status == 200 and own.json()["learned"]["withdrawn"]["by"] == "Dana"
    assert rig.service.teacher.learned().examples == ()
