"""The web API and the dashboard under abuse (issue 17, items 5 and 7): per-client rate limits,
login lockout, token strength, revocable sessions, same-origin forms, Secure cookies behind a
proxy, /metrics off the public port, and clients that send half a request."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.cli.processes import free_port
from adapters.preflight import check_channels
from adapters.server import build_app
from adapters.web.limits import LoginGuard, RateLimit
from adapters.web.sessions import Sessions
from bot import ConfigError, load_settings
from bot.service import Service
from bot.testing import shipped_advisor
from tests.live import Loop, send
from tests.webkit import ADMIN_TOKEN, WebRig

FORM = [("Content-Type", "application/x-www-form-urlencoded")]
QUESTION = {"question": "should I join this facebook group?"}


@pytest.fixture
def strict(tmp_path: Path) -> Iterator[WebRig]:
    """Low limits, and 127.0.0.1 as a trusted proxy (so X-Forwarded-For names the client)."""
    rig = WebRig(tmp_path, api_rate=0.01, api_burst=5, trusted_proxies=["127.0.0.1/32"])
    yield rig
    rig.close()


def login(rig: WebRig, token: str, headers: list[tuple[str, str]] | None = None) -> tuple[int, str]:
    reply = rig.post("/admin/login", f"token={token}".encode(), FORM + (headers or []))
    cookie = reply.headers.get("Set-Cookie", "").split(";")[0]
    return reply.status, cookie


def test_each_client_is_limited_on_the_api_with_retry_after(strict: WebRig) -> None:
    alice = [("Content-Type", "application/json"), ("X-Forwarded-For", "203.0.113.7")]
    statuses = [strict.post("/api/ask", QUESTION, alice).status for _ in range(8)]
    assert statuses == [200] * 5 + [429] * 3
    refused = strict.post("/api/ask", QUESTION, alice)
    assert refused.status == 429 and int(refused.headers["Retry-After"]) >= 1
    assert refused.json() == {"error": "too many requests: try again later"}
    # Another client is not held up; GETs of the API count too; other routes do not.
    bob = [("Content-Type", "application/json"), ("X-Forwarded-For", "198.51.100.9")]
    assert strict.post("/api/ask", QUESTION, bob).status == 200
    assert strict.get("/api/checklists", [("X-Forwarded-For", "203.0.113.7")]).status == 429
    assert strict.get("/healthz", [("X-Forwarded-For", "203.0.113.7")]).status == 200


def test_forwarded_for_is_ignored_from_an_untrusted_peer(tmp_path: Path) -> None:
    rig = WebRig(tmp_path, api_rate=0.01, api_burst=3)
    try:
        statuses = [
            rig.post(
                "/api/ask",
                QUESTION,
                [("Content-Type", "application/json"), ("X-Forwarded-For", f"10.0.0.{n}")],
            ).status
            for n in range(5)
        ]
        assert statuses == [200, 200, 200, 429, 429]
    finally:
        rig.close()


def test_wrong_logins_at_speed_are_locked_out(web: WebRig) -> None:
    statuses = [login(web, f"guess-{n}")[0] for n in range(500)]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    status, cookie = login(web, ADMIN_TOKEN)
    assert status == 429 and cookie == ""  # even the right token waits out the lockout
    locked = web.post("/admin/login", f"token={ADMIN_TOKEN}".encode(), FORM)
    assert int(locked.headers["Retry-After"]) >= 1
    # The API with the bearer token is not the login form: it is not locked.
    assert web.get("/api/admin/report", [("Authorization", f"Bearer {ADMIN_TOKEN}")]).status == 200


def test_a_lockout_ends_and_doubles_when_guessing_goes_on() -> None:
    now = [0.0]
    guard = LoginGuard(failures=3, lockout=60, clock=lambda: now[0])
    for _ in range(3):
        assert guard.wait("a") == 0
        guard.failed("a")
    assert guard.wait("a") == 60 and guard.wait("b") == 0
    now[0] = 60
    assert guard.wait("a") == 0
    for _ in range(3):
        guard.failed("a")
    assert guard.wait("a") == 120
    guard.succeeded("a")
    assert guard.wait("a") == 0


def test_a_rate_limit_refills_over_time() -> None:
    now = [0.0]
    limit = RateLimit(rate=2, burst=2, clock=lambda: now[0])
    assert [limit.take("a"), limit.take("a")] == [0, 0] and limit.take("a") == pytest.approx(0.5)
    now[0] = 0.5
    assert limit.take("a") == 0 and limit.take("a") > 0


@pytest.mark.parametrize(
    "token", ["a", "short-token-15c", "aaaaaaaaaaaaaaaaaaaaaaaa", "abababababababababab"]
)
def test_a_weak_admin_token_stops_a_production_start(tmp_path: Path, token: str) -> None:
    config = load_settings(env="production", data_dir=tmp_path, admin_token=token, pseudonym_key="k" * 32)
    with pytest.raises(ConfigError, match="ADVISOR_ADMIN_TOKEN is too weak"):
        check_channels(config)
    check_channels(load_settings(env="development", data_dir=tmp_path, admin_token=token))


def test_a_strong_admin_token_starts(tmp_path: Path) -> None:
    token = "Xq3-vLp9_Tz2Rk8mWn4s"
    check_channels(load_settings(env="production", data_dir=tmp_path, admin_token=token, pseudonym_key="k"))


def test_a_bad_trusted_proxy_network_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="ADVISOR_TRUSTED_PROXIES"):
        check_channels(load_settings(env="development", data_dir=tmp_path, trusted_proxies=["ingress"]))


def test_signing_out_ends_the_session(web: WebRig) -> None:
    status, first = login(web, ADMIN_TOKEN)
    _, second = login(web, ADMIN_TOKEN)
    assert status == 303 and first != second and ADMIN_TOKEN not in first
    assert web.get("/api/admin/report", [("Cookie", first)]).status == 200
    logout = web.post("/admin/logout", b"", [("Cookie", first), ("Origin", web.base)])
    assert logout.status == 303
    assert web.get("/api/admin/report", [("Cookie", first)]).status == 401
    assert web.get("/api/admin/report", [("Cookie", second)]).status == 200


def test_sessions_expire() -> None:
    now = [0.0]
    sessions = Sessions(seconds=10, clock=lambda: now[0])
    session = sessions.open()
    assert sessions.is_open(session) and not sessions.is_open("forged")
    now[0] = 10
    assert not sessions.is_open(session)


@pytest.mark.parametrize(
    "headers",
    [
        [("Origin", "https://evil.example")],
        [("Origin", "null")],
        [("Origin", "http://127.0.0.1.evil.example")],
        [("Sec-Fetch-Site", "cross-site")],
        [("Sec-Fetch-Site", "same-site"), ("Origin", "https://other.example.com")],
    ],
)
def test_cross_origin_logout_and_login_are_refused(web: WebRig, headers: list[tuple[str, str]]) -> None:
    _, cookie = login(web, ADMIN_TOKEN)
    logout = web.post("/admin/logout", b"", [("Cookie", cookie), *headers])
    assert logout.status == 403 and "Set-Cookie" not in logout.headers
    assert web.get("/api/admin/report", [("Cookie", cookie)]).status == 200
    assert login(web, ADMIN_TOKEN, headers)[0] == 403


def test_the_dashboards_own_forms_are_accepted_as_browsers_send_them(web: WebRig) -> None:
    # Chromium under Referrer-Policy: no-referrer: "Origin: null", and Sec-Fetch-Site.
    same = [("Origin", "null"), ("Sec-Fetch-Site", "same-origin")]
    status, cookie = login(web, ADMIN_TOKEN, same)
    assert status == 303
    assert web.post("/admin/logout", b"", [("Cookie", cookie), *same]).status == 303
    assert web.get("/api/admin/report", [("Cookie", cookie)]).status == 401


def test_the_visitor_cookie_is_secure_over_https_behind_a_trusted_proxy(
    strict: WebRig, tmp_path: Path
) -> None:
    assert "Secure" in strict.get("/", [("X-Forwarded-Proto", "https")]).headers["Set-Cookie"]
    assert "Secure" not in strict.get("/").headers["Set-Cookie"]
    untrusted = WebRig(tmp_path / "other")
    try:
        assert "Secure" not in untrusted.get("/", [("X-Forwarded-Proto", "https")]).headers["Set-Cookie"]
    finally:
        untrusted.close()


def test_metrics_move_to_their_own_port(tmp_path: Path) -> None:
    metrics_port = free_port()
    config = load_settings(env="development", data_dir=tmp_path, metrics_port=metrics_port)
    service = Service.start(config, base=shipped_advisor())
    loop = Loop()
    try:
        port = loop.serve(build_app(service, config))
        assert send(port, "/metrics", method="GET").status == 404
        exposed = send(metrics_port, "/metrics", method="GET")
        assert exposed.status == 200 and b"advisor_http_requests_total" in exposed.body
        assert send(metrics_port, "/api/checklists", method="GET").status == 404
    finally:
        loop.close()
        service.close()


def half_request(port: int, data: bytes) -> bytes:
    """Send part of a request and read until the server answers or closes (or 20 s pass)."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as connection:
        connection.sendall(data)
        received = b""
        while chunk := connection.recv(4096):
            received += chunk
        return received


def test_a_half_sent_body_gets_408_and_the_connection_closes(tmp_path: Path) -> None:
    rig = WebRig(tmp_path, body_timeout_seconds=0.3)
    try:
        head = (
            b"POST /api/ask HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        )
        answer = half_request(rig.port, head + b'{"question": ')
        assert answer.startswith(b"HTTP/1.1 408") and b"not received in time" in answer
    finally:
        rig.close()


def test_half_sent_headers_are_cut_off(tmp_path: Path) -> None:
    rig = WebRig(tmp_path, idle_timeout_seconds=0.3)
    try:
        assert half_request(rig.port, b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Ty") == b""
    finally:
        rig.close()
