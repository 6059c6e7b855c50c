"""Two real `advisor serve` processes on one PostgreSQL: an entry the policy owner publishes on
one replica is served by the other within seconds, without a restart, and no longer once
withdrawn on the other; what either replica is taught is in one audit. The delay is printed,
not asserted."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.querylog.pseudonyms import Pseudonymizer
from bot.querylog.sql import SqlQueryLog
from bot.tickets.desk import Desk
from bot.tickets.sql import SqlTicketStore
from tests.deploy.test_replicas import start_replicas, stop
from tests.live import send

TOKEN = "replica-admin-token-" * 2
BEARER = [("Authorization", f"Bearer {TOKEN}"), ("Content-Type", "application/json")]
JSON = [("Content-Type", "application/json")]
LAUNCH = "may I livestream our product launch on TikTok?"


@pytest.fixture
def two(pg_url: str, tmp_path: Path) -> Iterator[tuple[list[int], str]]:
    SqlQueryLog(pg_url).upgrade()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        processes, ports = start_replicas(
            pg_url,
            tmp_path,
            2,
            ADVISOR_ADMIN_TOKEN=TOKEN,
            ADVISOR_MATCHER="lexical",
            ADVISOR_LEARNED_REFRESH_SECONDS="0.5",
        )
        yield ports, pg_url
    finally:
        stop(processes)


def post(port: int, path: str, body: object, headers: list[tuple[str, str]] = BEARER) -> Any:
    reply = send(port, path, json.dumps(body).encode(), headers)
    return reply.status, reply.json()


def served(
    port: int, question: str, topic: str, deadline: float = 120.0, wanted: bool = True
) -> tuple[dict[str, Any], float]:
    """The replica's answer once it is about ``topic`` (with ``wanted`` False, once it is not),
    and how long that took to come."""
    started = time.monotonic()
    while True:
        _, answer = post(port, "/api/ask", {"question": question}, JSON)
        waited = time.monotonic() - started
        if (answer["topic"] == topic) == wanted or waited > deadline:
            return answer, waited
        time.sleep(0.25)  # under the API's rate for one client (5 a second)


def test_published_on_one_replica_served_by_the_other(two: tuple[list[int], str]) -> None:
    (first, second), pg_url = two
    store = SqlQueryLog(pg_url)
    desk = Desk(SqlTicketStore(store.engine), Pseudonymizer(b"k" * 32))
    draft = desk.prepare(key="launch", channel="web", question=LAUNCH, user_id="visitor-1")
    assert draft is not None
    ticket, _ = desk.open(draft)
    question = "can we livestream the product launch on TikTok?"
    _, before = post(second, "/api/ask", {"question": question}, JSON)
    assert before["topic"] != f"owner-{ticket.number}"

    status, _ = post(
        first, f"/api/admin/tickets/{ticket.number}/answer", {"by": "Dana", "text": "No: our channels only."}
    )
    assert status == 200
    body = {
        "ticket": ticket.number,
        "by": "Dana",
        "publish": {"variants": {"en": ["can we stream the launch on tiktok"]}, "verdict": "no"},
    }
    status, published = post(first, "/api/admin/learned", body)
    assert status == 201, published
    answer, waited = served(second, question, f"owner-{ticket.number}")
    assert (answer["topic"], answer["source"], answer["text"]) == (
        f"owner-{ticket.number}",
        "Policy owner",
        "No: our channels only.",
    )
    print(f"published on one replica, served by the other after {waited:.1f}s")

    other = desk.prepare(
        key="alumni",
        channel="web",
        question="is the alumni whatsapp group of my university ok to be in",
        user_id="v",
    )
    assert other is not None
    alumni, _ = desk.open(other)
    status, _ = post(
        second, "/api/admin/learned", {"ticket": alumni.number, "by": "Eli", "example_of": "join-groups"}
    )
    assert status == 201
    reply = send(first, "/api/admin/learned", method="GET", headers=BEARER).json()
    assert [(i["kind"], i["by"]) for i in reply["learned"]] == [("entry", "Dana"), ("example", "Eli")]

    assert served(first, question, f"owner-{ticket.number}")[0]["topic"] == f"owner-{ticket.number}"
    entry = published["learned"]["id"]
    withdrawn = send(second, f"/api/admin/learned/{entry}?by=Eli", method="DELETE", headers=BEARER)
    assert withdrawn.status == 200, withdrawn.json()
    answer, waited = served(first, question, f"owner-{ticket.number}", wanted=False)
    assert answer["topic"] != f"owner-{ticket.number}" and answer["source"] != "Policy owner"
    print(f"withdrawn on one replica, dropped by the other after {waited:.1f}s")
    again = send(first, f"/api/admin/learned/{entry}", method="DELETE", headers=BEARER)
    assert again.status == 409
