"""Catalogue D (25-39): Bot Framework authentication with locally minted RS256 tokens and a
local OpenID metadata document, through the real server."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import subprocess
import time
from pathlib import Path

import jwt
import pytest

from adapters.cli.processes import free_port, serve_command
from tests.live import Loop, send
from tests.teamskit import APP_ID, Key, TeamsRig, activity

MESSAGE = "message_personal"


def nothing_happened(rig: TeamsRig) -> None:
    time.sleep(0.3)
    assert rig.connector.replies == [] and rig.rows() == []


def test_d25_a_valid_token_is_answered(teams: TeamsRig) -> None:
    assert teams.post(activity(MESSAGE)).status in (200, 201)
    assert len(teams.connector.wait_for(1)) == 1 and len(teams.rows()) == 1


def test_d26_no_authorization_header(teams: TeamsRig) -> None:
    assert teams.post(activity(MESSAGE), token=None).status == 401
    nothing_happened(teams)


def test_d27_d28_wrong_audience_or_issuer(teams: TeamsRig) -> None:
    assert teams.post(activity(MESSAGE), token=teams.token(aud="someone-else")).status == 401
    assert teams.post(activity(MESSAGE), token=teams.token(iss="https://evil.example")).status == 401
    nothing_happened(teams)


def test_d29_expiry_within_the_five_minute_skew(teams: TeamsRig) -> None:
    now = int(time.time())
    assert teams.post(activity(MESSAGE), token=teams.token(exp=now - 360)).status == 401
    assert teams.post(activity(MESSAGE), token=teams.token(exp=now - 240)).status in (200, 201)
    assert len(teams.connector.wait_for(1)) == 1


def _segment(data: dict) -> str:  # type: ignore[type-arg]
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_d30_algorithm_confusion(teams: TeamsRig) -> None:
    claims = teams.claims()
    none_token = f"{_segment({'alg': 'none', 'kid': 'key-a'})}.{_segment(claims)}."
    public_pem = teams.key.private.public_key().public_bytes(
        __import__("cryptography.hazmat.primitives.serialization", fromlist=["Encoding"]).Encoding.PEM,
        __import__(
            "cryptography.hazmat.primitives.serialization", fromlist=["PublicFormat"]
        ).PublicFormat.SubjectPublicKeyInfo,
    )
    head = _segment({"alg": "HS256", "kid": "key-a", "typ": "JWT"})
    body = _segment(claims)
    signature = base64.urlsafe_b64encode(
        hmac.new(public_pem, f"{head}.{body}".encode(), hashlib.sha256).digest()
    )
    hs256 = f"{head}.{body}.{signature.rstrip(b'=').decode()}"
    attacker = Key("key-a")  # the same kid, a key the service never published
    for token in (none_token, hs256, attacker.mint(claims)):
        assert teams.post(activity(MESSAGE), token=token).status == 401
    nothing_happened(teams)


def test_d31_service_url_mismatch_makes_no_outbound_call(teams: TeamsRig) -> None:
    loop = Loop()
    from tests.teamskit import Connector

    attacker = Connector()
    attacker_port = loop.serve(attacker.app())
    try:
        body = activity(MESSAGE, serviceUrl=f"http://127.0.0.1:{attacker_port}/")
        assert teams.post(body).status == 401  # the token names the real connector
        time.sleep(0.3)
        assert attacker.replies == [] and attacker.metadata_requests == 0
        nothing_happened(teams)
    finally:
        loop.close()


def test_d32_endorsement_must_include_the_channel(teams: TeamsRig) -> None:
    webchat_only = Key("key-webchat", endorsements=["webchat"])
    teams.connector.keys.append(webchat_only)
    assert teams.post(activity(MESSAGE), token=teams.token(key=webchat_only)).status == 401
    nothing_happened(teams)


@pytest.mark.parametrize(
    "headers",
    [
        [("Content-Type", "application/json"), ("Authorization", "Bearer")],
        [("Content-Type", "application/json"), ("Authorization", "Bearer ")],
        [("Content-Type", "application/json"), ("Authorization", "Basic dXNlcjpwYXNz")],
        [("Content-Type", "application/json"), ("Authorization", "random-string")],
        [("Content-Type", "application/json"), ("Authorization", "Bearer aaa.bbb.ccc")],
    ],
)
def test_d33_malformed_authorization(teams: TeamsRig, headers: list[tuple[str, str]]) -> None:
    raw = json.dumps(activity(MESSAGE, serviceUrl=teams.service_url)).encode()
    assert send(teams.port, "/api/messages", raw, headers).status == 401


def test_d33_malformed_bodies_never_500(teams: TeamsRig) -> None:
    token = [("Authorization", f"Bearer {teams.token()}")]
    cases = [
        (b"{}", [], 415),
        (b"{}", [("Content-Type", "text/plain")], 415),
        (b"{not json", [("Content-Type", "application/json")], 400),
        (b"[1, 2]", [("Content-Type", "application/json")], 400),
        (json.dumps({"text": "no type"}).encode(), [("Content-Type", "application/json")], 400),
        (json.dumps({"type": 5}).encode(), [("Content-Type", "application/json")], 400),
        (b"[" * 100_000, [("Content-Type", "application/json")], 400),
        (b"\xff\xfe", [("Content-Type", "application/json")], 400),
    ]
    for body, headers, status in cases:
        assert send(teams.port, "/api/messages", body, [*headers, *token]).status == status, body[:20]
    big = b'{"type": "message", "text": "' + b"x" * (1024 * 1024) + b'"}'
    assert (
        send(teams.port, "/api/messages", big, [("Content-Type", "application/json"), *token]).status == 413
    )
    nothing_happened(teams)


def test_d34_key_rollover_is_picked_up(teams: TeamsRig) -> None:
    assert teams.post(activity(MESSAGE)).status in (200, 201)
    refreshes = teams.adapter.auth.validator.keys.refreshes
    new_key = Key("key-b")
    teams.connector.keys.append(new_key)
    teams.adapter.auth.validator.keys._fetched_at -= 120  # the last fetch was over a minute ago
    status = teams.post(activity(MESSAGE, id="m-rollover"), token=teams.token(key=new_key)).status
    assert status in (200, 201)
    assert teams.adapter.auth.validator.keys.refreshes == refreshes + 1
    assert len(teams.connector.wait_for(2)) == 2


def test_d35_a_hanging_metadata_endpoint_fails_fast(tmp_path: Path) -> None:
    rig = TeamsRig(tmp_path)
    try:
        rig.connector.stall = 60
        status = rig.post(activity(MESSAGE)).status  # the stand-in stalls 30 s; the post waits 30 s at most
        assert status == 401
        assert send(rig.port, "/healthz", method="GET").status == 200
    finally:
        rig.connector.stall = 0
        rig.close()


def test_d36_production_refuses_an_empty_app_id(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADVISOR_", "SLACK_", "Microsoft"))}
    env |= {
        "ADVISOR_ENV": "production",
        "ADVISOR_PSEUDONYM_KEY": "k" * 40,
        "ADVISOR_DATA_DIR": str(tmp_path),
        "ADVISOR_TEAMS_ENABLED": "true",
        "MicrosoftAppId": "",
    }
    result = subprocess.run(
        serve_command(free_port()),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "MicrosoftAppId is required for Teams" in result.stderr


def test_d36_development_without_app_id_warns_and_answers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING"):
        rig = TeamsRig(tmp_path, app_id="")
    try:
        assert "TEAMS WITHOUT AUTHENTICATION" in caplog.text
        assert rig.post(activity(MESSAGE), token=None).status in (200, 201)
        assert len(rig.connector.wait_for(1)) == 1
    finally:
        rig.close()


def test_d37_tenant_allow_list(tmp_path: Path) -> None:
    rig = TeamsRig(tmp_path, teams_tenants=["11111111-2222-3333-4444-555555555555"])
    try:
        assert rig.post(activity(MESSAGE)).status == 403
        assert rig.adapter.rejected_tenants == 1
        nothing_happened(rig)
        allowed = activity(MESSAGE, channelData={"tenant": {"id": "11111111-2222-3333-4444-555555555555"}})
        assert rig.post(allowed).status in (200, 201)
    finally:
        rig.close()


def test_d38_redelivery_after_a_slow_first_attempt(teams: TeamsRig) -> None:
    original = teams.service.advisor.handle

    def slow(query):  # type: ignore[no-untyped-def]
        time.sleep(1.0)
        return original(query)

    teams.service.advisor.handle = slow  # type: ignore[method-assign]
    import threading

    first = threading.Thread(target=teams.post, args=(activity(MESSAGE),))
    first.start()
    time.sleep(0.3)
    assert teams.post(activity(MESSAGE)).status in (200, 201)
    first.join(10)
    time.sleep(0.3)
    assert len(teams.connector.replies) == 1 and len(teams.rows()) == 1


def test_d39_an_emulator_token_is_refused_in_production(tmp_path: Path) -> None:
    rig = TeamsRig(tmp_path, env="production")
    loop = Loop()
    from tests.teamskit import Connector

    attacker = Connector()
    attacker_port = loop.serve(attacker.app())
    try:
        claims = {
            "iss": "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/",
            "ver": "1.0",
            "appid": APP_ID,
            "aud": "https://api.botframework.com",
            "exp": int(time.time()) + 3600,
        }
        token = rig.key.mint(claims)
        body = activity(MESSAGE, serviceUrl=f"http://127.0.0.1:{attacker_port}/")
        assert rig.post(body, token=token).status == 401
        time.sleep(0.3)
        assert attacker.replies == []
        assert jwt.decode(token, options={"verify_signature": False})["appid"] == APP_ID
    finally:
        loop.close()
        rig.close()


def test_kept_clients_are_reused_and_bounded() -> None:
    from adapters.teams.auth import Clients

    clients, made = Clients(limit=3), []

    async def make(key: str) -> object:
        made.append(key)
        return object()

    async def scenario() -> None:
        first = await clients.get("a", lambda: make("a"))
        assert await clients.get("a", lambda: make("a")) is first
        for key in "bcd":
            await clients.get(key, lambda key=key: make(key))  # type: ignore[misc]
        assert len(clients) == 3
        await clients.get("a", lambda: make("a"))  # the oldest was dropped: made again

    asyncio.run(scenario())
    assert made == ["a", "b", "c", "d", "a"]
