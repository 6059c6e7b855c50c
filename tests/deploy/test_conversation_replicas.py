"""Two real ``advisor serve`` processes on one PostgreSQL: a conversation's first turn answered
by one and its follow-up by the other still keeps its context (the web API and a Slack thread)."""

from __future__ import annotations

import json
import time
from typing import Any

from bot.querylog.sql import SqlQueryLog
from tests.deploy.test_replicas import SECRET, start_replicas, stop
from tests.live import Loop, send, signed_headers
from tests.slack_api import SlackApi
from tests.slackkit import EVER, fixture


def ask(port: int, question: str) -> dict[str, Any]:
    headers = [("Content-Type", "application/json"), ("Cookie", "advisor_visitor=replica-visitor")]
    reply = send(port, "/api/ask", json.dumps({"question": question}).encode(), headers)
    assert reply.status == 200, reply.body
    data: dict[str, Any] = json.loads(reply.body)
    return data


def mention(text: str, ts: str, thread_ts: str | None = None) -> bytes:
    event = {"text": f"<@UADVISOR> {text}", "ts": ts, "event_ts": ts} | (
        {"thread_ts": thread_ts} if thread_ts else {}
    )
    data = fixture("event_mention", **event)
    data["event_id"] = f"Ev{ts.replace('.', '')}"
    return json.dumps(data).encode()


def test_the_next_turn_is_taken_by_another_replica(pg_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    loop = Loop()
    api = SlackApi()
    api_port = loop.serve(api.app())
    SqlQueryLog(pg_url).upgrade()
    processes, ports = start_replicas(
        pg_url,
        tmp_path,
        2,
        ADVISOR_SLACK_API_URL=f"http://127.0.0.1:{api_port}/api/",
        ADVISOR_MATCHER="lexical",
    )
    try:
        first = ask(ports[0], "may I put the Instagram app on my work PC?")
        assert (first["topic"], first["verdict"]) == ("install-apps", "no")
        second = ask(ports[1], "and Hootsuite?")
        assert (second["topic"], second["verdict"]) == ("install-apps", "yes")
        assert second["context"] == {"topic": "install-apps", "entities": {}, "follow_up": "slot"}
        third = ask(ports[0], "למה?")
        assert third["context"]["follow_up"] == "why" and third["lang"] == "he"

        root = "1700000100.000100"
        for port, body in (
            (ports[0], mention("can we recruit on LinkedIn?", root)),
            (ports[1], mention("ובאינסטגרם?", "1700000101.000100", root)),
        ):
            count = len(api.of("chat.postMessage"))
            assert (
                send(port, "/slack/events", body, signed_headers(SECRET, int(time.time()), body)).status
                == 200
            )
            api.wait_for(count + 1, "chat.postMessage", timeout=20)
        turns = [p for p in api.of("chat.postMessage") if p.get("thread_ts") == root]
        assert len(turns) == 2
        assert "Recruiting through social networks" in turns[0]["blocks"][0]["text"]["text"]
        assert "גיוס עובדים דרך רשתות חברתיות" in turns[1]["blocks"][0]["text"]["text"]

        deadline = time.monotonic() + 10
        rows: list[Any] = []
        while time.monotonic() < deadline and len(rows) < 5:
            rows = SqlQueryLog(pg_url).questions(*EVER)
            time.sleep(0.1)
        follow_ups = [r for r in rows if r.context]
        assert sorted(r.channel for r in follow_ups) == ["slack", "web", "web"]
    finally:
        stop(processes)
        loop.close()
