from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.preflight import check_channels
from adapters.server import STATE, build_app
from bot import ConfigError, load_settings
from bot.service import Service
from bot.testing import shipped_advisor
from tests.live import Loop, send


def settings(tmp_path: Path, **values: object):  # type: ignore[no-untyped-def]
    # Tests send bursts of questions from one address: no per-client limit in the way.
    return load_settings(env="development", data_dir=tmp_path, **({"api_burst": 10_000} | values))


def test_health_and_readiness(tmp_path: Path) -> None:
    config = settings(tmp_path)
    service = Service.start(config, base=shipped_advisor())
    loop = Loop()
    try:
        app = build_app(service, config)
        port = loop.serve(app)
        assert send(port, "/healthz", method="GET").json() == {"status": "alive"}
        ready = send(port, "/readyz", method="GET")
        assert ready.status == 200 and ready.json()["database"] is True and ready.json()["channels"] == []
        assert send(port, "/slack/events", b"{}").status == 404
        assert send(port, "/healthz", method="GET").headers.get("Connection", "").lower() != "close"
        app[STATE].draining = True
        assert send(port, "/readyz", method="GET").status == 503
        # A load balancer's pooled connections leave a draining replica with the next answer.
        alive = send(port, "/healthz", method="GET")
        assert alive.status == 200 and alive.headers.get("Connection", "").lower() == "close"
    finally:
        loop.close()
        service.close()


def test_readiness_holds_while_the_spool_absorbs_a_database_outage(tmp_path: Path) -> None:
    config = settings(tmp_path, database_url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    service = Service.start(config, base=shipped_advisor(), migrate=False)
    loop = Loop()
    try:
        port = loop.serve(build_app(service, config))
        body = send(port, "/readyz", method="GET")
        assert body.status == 200 and body.json()["database"] is False
        assert send(port, "/healthz", method="GET").status == 200
    finally:
        loop.close()
        service.close()


def test_readiness_turns_503_at_the_spool_high_water_mark(tmp_path: Path) -> None:
    """A long outage: once the spool is 90% full the replica leaves the load balancer's rotation
    (Slack then retries elsewhere) while liveness stays 200 and nothing asked so far is lost."""
    config = settings(
        tmp_path,
        database_url="postgresql+psycopg://nobody@127.0.0.1:1/none",
        spool_max_records=100,
        log_retry_seconds=60,
    )
    service = Service.start(config, base=shipped_advisor(), migrate=False)
    loop = Loop()
    try:
        port = loop.serve(build_app(service, config))
        headers = [("Content-Type", "application/json")]
        statuses = []
        for n in range(95):
            body = json.dumps({"question": f"may I install the linkedin app? {n}"}).encode()
            reply = send(port, "/api/ask", body, headers)
            assert reply.status == 200
            statuses.append(send(port, "/readyz", method="GET").status)
        assert statuses[0] == 200 and statuses[-1] == 503
        first_503 = statuses.index(503)
        assert 85 <= first_503 <= 92 and set(statuses[first_503:]) == {503}
        ready = send(port, "/readyz", method="GET").json()
        assert ready["database"] is False and ready["log_backlog"] >= 90
        assert send(port, "/healthz", method="GET").status == 200
    finally:
        loop.close()
        service.close()
    spooled = (tmp_path / "spool.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(spooled) == 95


@pytest.mark.parametrize(
    ("values", "channels", "error"),
    [
        ({}, [], None),
        ({"slack_signing_secret": "s", "slack_bot_token": "xoxb-1"}, ["slack"], None),
        ({"slack_app_token": "xapp-1", "slack_bot_token": "xoxb-1"}, ["slack"], None),
        ({"slack_signing_secret": "s"}, None, "SLACK_BOT_TOKEN is required"),
        ({"slack_bot_token": "xoxb-1"}, None, "SLACK_SIGNING_SECRET is required"),
        (
            {"slack_bot_token": "xoxb-1", "slack_signing_secret": "  "},
            None,
            "SLACK_SIGNING_SECRET is required",
        ),
    ],
)
def test_channel_settings(
    tmp_path: Path, values: dict[str, str], channels: list[str] | None, error: str | None
) -> None:
    config = settings(tmp_path, **values)
    if error:
        with pytest.raises(ConfigError, match=error):
            check_channels(config)
    else:
        assert check_channels(config) == channels


def test_socket_mode_needs_no_public_route(tmp_path: Path) -> None:
    config = settings(tmp_path, slack_app_token="xapp-1", slack_bot_token="xoxb-1")
    service = Service.start(config, base=shipped_advisor())
    try:
        app = build_app(service, config)
        paths = {route.resource.canonical for route in app.router.routes()}
        assert "/slack/events" not in paths and "/healthz" in paths
        assert "start_socket_mode" in [getattr(hook, "__name__", "") for hook in app.on_startup]
    finally:
        service.close()


def test_socket_mode_answers_over_a_websocket(tmp_path: Path) -> None:
    from tests.slack_api import SlackApi
    from tests.slackkit import fixture

    loop = Loop()
    api = SlackApi()
    envelope = {
        "type": "events_api",
        "envelope_id": "env-1",
        "accepts_response_payload": False,
        "payload": fixture("event_dm"),
    }
    api.socket_envelopes.append(envelope)
    api_port = loop.serve(api.app())
    config = settings(
        tmp_path,
        slack_app_token="xapp-1",
        slack_bot_token="xoxb-1",
        slack_api_url=f"http://127.0.0.1:{api_port}/api/",
    )
    service = Service.start(config, base=shipped_advisor())
    try:
        loop.serve(build_app(service, config))
        [post] = api.wait_for(1, "chat.postMessage", timeout=15)
        assert post["channel"] == "D0001" and "Social-network apps" in post["text"]
        assert {"envelope_id": "env-1"} in [{"envelope_id": a.get("envelope_id")} for a in api.socket_acks]
    finally:
        loop.close()
        service.close()


def test_keeping_messages_degrades_to_answering_when_the_database_is_away(tmp_path: Path) -> None:
    config = settings(tmp_path, database_url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    service = Service.start(config, base=shipped_advisor(), migrate=False)
    try:
        keep = {"channel": "slack", "team": "T1", "event": {"text": "may I?"}}
        assert service.deliveries.claim("slack:T1:D1:1.0", keep, lease_seconds=5) is True  # answer anyway
        assert service.deliveries.release(["slack:T1:D1:1.0"]) is False  # the caller keeps it for later
        assert service.deliveries.release([]) is True
        assert service.deliveries.take_over_lapsed(lease_seconds=5) == []
    finally:
        service.close()
