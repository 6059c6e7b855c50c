"""Catalogue A (1-12) and H (61-62): who may talk to /slack/events, through the real server."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import subprocess
from importlib.metadata import version
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.cli.processes import free_port, serve_command
from adapters.slack.ingress import Ingress
from tests.live import send, slack_signature
from tests.paths import ROOT
from tests.slackkit import SlackRig, fixture

SLACK_DOC_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SLACK_DOC_TS = 1531420618
SLACK_DOC_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
SLACK_DOC_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
FORM = "application/x-www-form-urlencoded"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def frozen(tmp_path: Path):  # type: ignore[no-untyped-def]
    clock = Clock(SLACK_DOC_TS)
    rig = SlackRig(tmp_path, clock=clock, slack_signing_secret=SLACK_DOC_SECRET)
    rig.frozen = clock  # type: ignore[attr-defined]
    yield rig
    rig.close()


def nothing_happened(rig: SlackRig) -> None:
    rig.settle(0.3)
    assert [c.method for c in rig.api.calls if c.method != "auth.test"] == []
    assert rig.rows() == []


def raw(rig: SlackRig, body: bytes, headers: list[tuple[str, str]]) -> int:
    return send(rig.port, "/slack/events", body, headers).status


def test_a1_slacks_documented_vector_is_accepted_and_handled_once(frozen: SlackRig) -> None:
    headers = [
        ("Content-Type", FORM),
        ("X-Slack-Request-Timestamp", str(SLACK_DOC_TS)),
        ("X-Slack-Signature", SLACK_DOC_SIGNATURE),
    ]
    assert raw(frozen, SLACK_DOC_BODY, headers) == 200
    # Its response_url is Slack's own host, which tests may not reach: the answer goes through
    # the (recorded) Web API instead, to the asker only.
    [sent] = frozen.api.wait_for(1, "chat.postEphemeral")
    assert sent["channel"] == "G8PSS9T3V" and sent["user"] == "U2CERLKJA"
    event = fixture("event_dm")
    assert frozen.post(event, secret=SLACK_DOC_SECRET).status == 200
    frozen.api.wait_for(1, "chat.postMessage")
    frozen.settle()
    assert len(frozen.rows(2)) == 2
    assert len(frozen.api.of("chat.postMessage")) == 1 and len(frozen.api.of("chat.postEphemeral")) == 1


def test_a2_a_tampered_body_is_refused(frozen: SlackRig) -> None:
    headers = [
        ("Content-Type", FORM),
        ("X-Slack-Request-Timestamp", str(SLACK_DOC_TS)),
        ("X-Slack-Signature", SLACK_DOC_SIGNATURE),
    ]
    reply = send(frozen.port, "/slack/events", SLACK_DOC_BODY + b"------", headers)
    assert reply.status == 401 and reply.json() == {"error": "invalid request"}
    changed = SLACK_DOC_BODY.replace(b"text=", b"text=x")
    assert raw(frozen, changed, headers) == 401
    nothing_happened(frozen)


@pytest.mark.parametrize(("offset", "status"), [(-300, 200), (300, 200), (-301, 401), (301, 401)])
def test_a3_the_five_minute_window(frozen: SlackRig, offset: int, status: int) -> None:
    event = fixture("event_dm")
    assert frozen.post(event, timestamp=SLACK_DOC_TS + offset, secret=SLACK_DOC_SECRET).status == status


def test_a4_header_edge_cases(frozen: SlackRig) -> None:
    body = b'{"type": "event_callback", "event_id": "Ev1", "event": {"type": "message"}}'
    ts = str(SLACK_DOC_TS)
    good = slack_signature(SLACK_DOC_SECRET, ts, body)
    other = slack_signature(SLACK_DOC_SECRET, ts, body + b" ")
    cases = [
        [("X-Slack-Request-Timestamp", ts)],
        [("X-Slack-Signature", good)],
        [("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", "")],
        [("X-Slack-Request-Timestamp", ""), ("X-Slack-Signature", good)],
        [("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", "v1=" + good[3:])],
        [("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", "v0=" + good[3:].upper())],
        [("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", good[:-4])],
        [("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", other)],
        [("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", good), ("X-Slack-Signature", good)],
        [("X-Slack-Request-Timestamp", ts), ("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", good)],
        [("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", "v0=ĥ" + good[4:])],
    ]
    for headers in cases:
        assert raw(frozen, body, [("Content-Type", "application/json"), *headers]) == 401, headers
    nothing_happened(frozen)


@pytest.mark.parametrize(
    "stamp", ["abc", "1.5e9", "1531420618.0", "9" * 10_000, "-1531420618", " 1531420618", "١٥٣١٤٢٠٦١٨"]
)
def test_a5_malformed_timestamps_get_401_never_500(frozen: SlackRig, stamp: str) -> None:
    body = b'{"type": "event_callback"}'
    signature = slack_signature(SLACK_DOC_SECRET, stamp, body)
    assert raw(frozen, body, [("X-Slack-Request-Timestamp", stamp), ("X-Slack-Signature", signature)]) == 401
    nothing_happened(frozen)


def test_a6_unsigned_garbage_is_refused_and_the_worker_lives(
    frozen: SlackRig, caplog: pytest.LogCaptureFixture
) -> None:
    bodies = [
        b"{not json",
        b"[1, 2, 3]",
        b'"just a string"',
        b"[" * 100_000 + b"]" * 100_000,
        b"\xff\xfe\xfd invalid utf8 alice@example.com",
        b"payload=%7Bgarbage",
        b"payload=",
        b"",
    ]
    with caplog.at_level(logging.INFO):
        for body in bodies:
            assert raw(frozen, body, [("Content-Type", "application/json")]) in (400, 401)
    assert send(frozen.port, "/healthz", method="GET").status == 200
    assert "alice@example.com" not in caplog.text and "garbage" not in caplog.text
    nothing_happened(frozen)


def test_signed_but_malformed_bodies_get_400(frozen: SlackRig) -> None:
    for body, kind in [
        (b"{not json", "application/json"),
        (b"[1]", "application/json"),
        (b"payload=%7Bbroken", FORM),
        (b"payload=%5B1%5D", FORM),
        (b"a=b", FORM),
        (b"[" * 50_000, "application/json"),
    ]:
        assert frozen.post(body, content_type=kind, secret=SLACK_DOC_SECRET).status == 400, body[:20]
    # Slack signs UTF-8 text; bytes that are not cannot be verified at all.
    assert frozen.post(b"\xff\xfe", secret=SLACK_DOC_SECRET).status == 401
    nothing_happened(frozen)


def test_a7_an_oversize_body_gets_413_before_anything_reads_it(frozen: SlackRig) -> None:
    body = b"{" + b" " * (1024 * 1024) + b"}"
    assert len(body) == 1024 * 1024 + 2
    assert frozen.post(body, secret=SLACK_DOC_SECRET).status == 413
    headers = [("Content-Type", "application/json"), ("Content-Length", str(1024 * 1024 + 1))]
    assert send(frozen.port, "/slack/events", b"{}", headers).status == 413
    nothing_happened(frozen)


def test_a8_a_replay_inside_the_window_is_not_answered_twice(frozen: SlackRig) -> None:
    body = fixture("event_dm")
    raw_body = __import__("json").dumps(body).encode()
    assert frozen.post(raw_body, secret=SLACK_DOC_SECRET).status == 200
    frozen.api.wait_for(1, "chat.postMessage")
    frozen.frozen.now += 10  # type: ignore[attr-defined]
    assert frozen.post(raw_body, timestamp=SLACK_DOC_TS, secret=SLACK_DOC_SECRET).status == 200
    frozen.frozen.now += 291  # type: ignore[attr-defined]
    assert frozen.post(raw_body, timestamp=SLACK_DOC_TS, secret=SLACK_DOC_SECRET).status == 401
    frozen.settle()
    assert len(frozen.api.of("chat.postMessage")) == 1 and len(frozen.rows()) == 1


def test_a9_ssl_check(frozen: SlackRig, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="advisor"):
        reply = send(frozen.port, "/slack/events", b"token=x&ssl_check=1", [("Content-Type", FORM)])
    assert reply.status == 200 and reply.body == b""
    sneaky = SLACK_DOC_BODY + b"&ssl_check=1"
    headers = [
        ("Content-Type", FORM),
        ("X-Slack-Request-Timestamp", str(SLACK_DOC_TS)),
        ("X-Slack-Signature", "v0=invalid"),
    ]
    assert raw(frozen, sneaky, headers) == 401
    nothing_happened(frozen)
    assert [r for r in caplog.records if r.name.startswith("advisor")] == []


def test_a9_a10_required_library_versions() -> None:
    def parts(name: str) -> tuple[int, ...]:
        return tuple(int(p) for p in re.findall(r"\d+", version(name))[:3])

    assert parts("slack-bolt") >= (1, 29, 0)
    assert parts("slack-sdk") >= (3, 43, 0)


@pytest.mark.parametrize("secret_value", [None, "", "   "])
def test_a10_no_signing_secret_no_server(tmp_path: Path, secret_value: str | None) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADVISOR_", "SLACK_"))}
    env |= {"ADVISOR_ENV": "development", "ADVISOR_DATA_DIR": str(tmp_path), "SLACK_BOT_TOKEN": "xoxb-1"}
    if secret_value is not None:
        env["SLACK_SIGNING_SECRET"] = secret_value
    port = free_port()
    result = subprocess.run(
        serve_command(port),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SLACK_SIGNING_SECRET is required" in result.stderr
    with pytest.raises(OSError):
        send(port, "/readyz", method="GET", timeout=2)


def test_a10_a_request_signed_with_an_empty_key_is_refused(frozen: SlackRig) -> None:
    assert frozen.post(fixture("event_dm"), secret="").status == 401
    with pytest.raises(ValueError):
        Ingress("  ", 1024)
    nothing_happened(frozen)


def test_a11_signatures_are_compared_in_constant_time() -> None:
    root = ROOT / "adapters"
    for path in root.rglob("*.py"):
        code = path.read_text(encoding="utf-8")
        assert not re.search(r"signature\w*\s*[!=]=|[!=]=\s*\w*signature", code, re.IGNORECASE), path
    ingress = (root / "slack" / "ingress.py").read_text(encoding="utf-8")
    assert "SignatureVerifier" in ingress


def test_a12_rejected_bodies_never_reach_the_logs(frozen: SlackRig, caplog: pytest.LogCaptureFixture) -> None:
    event = fixture("event_dm", text="I'm alice@example.com, call +44 20 7946 0958")
    body = __import__("json").dumps(event).encode()
    with caplog.at_level(logging.DEBUG):
        for secret in ("wrong-secret", ""):
            headers = [
                ("Content-Type", "application/json"),
                ("X-Slack-Request-Timestamp", str(SLACK_DOC_TS)),
                ("X-Slack-Signature", slack_signature(secret, str(SLACK_DOC_TS), body)),
            ]
            assert raw(frozen, body, headers) == 401
    info = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert not any("alice@example.com" in m or "7946" in m for m in info)


# -- H61: the verifier accepts exactly the right signatures ------------------------------------


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    secret=st.text(min_size=1, max_size=40).filter(lambda s: s.strip()),
    ts=st.integers(0, 2_000_000_000),
    body=st.binary(max_size=200),
    now_offset=st.integers(-400, 400),
    forge=st.sampled_from(["none", "flip", "other-secret", "random"]),
)
def test_h61_verifier_equivalence(secret: str, ts: int, body: bytes, now_offset: int, forge: str) -> None:
    ingress = Ingress(secret, 1024 * 1024, clock=lambda: ts + now_offset)
    expected = "v0=" + hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    signature = {
        "none": expected,
        "flip": expected[:-1] + ("0" if expected[-1] != "0" else "1"),
        "other-secret": "v0="
        + hmac.new((secret + "x").encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest(),
        "random": "v0=" + hashlib.sha256(body + secret.encode()).hexdigest(),
    }[forge]
    try:
        body.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False
    should_accept = signature == expected and abs(now_offset) <= 300 and utf8
    assert ingress.signed([str(ts)], [signature], body) is should_accept


# -- H62: fuzzing the real endpoint: no 500, no handler without a valid signature -------------

header_names = st.sampled_from(
    [
        "X-Slack-Request-Timestamp",
        "X-Slack-Signature",
        "Content-Type",
        "X-Slack-Retry-Num",
        "Content-Encoding",
    ]
)
header_values = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=80)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=2000), headers=st.lists(st.tuples(header_names, header_values), max_size=6))
def test_h62_ingress_fuzz(frozen: SlackRig, body: bytes, headers: list[tuple[str, str]]) -> None:
    status = send(frozen.port, "/slack/events", body, headers).status
    assert status in (200, 400, 401, 413), status
    if status == 200:
        assert body.startswith(b"token=") or b"ssl_check" in body


def test_h62_fuzz_left_no_trace(frozen: SlackRig) -> None:
    for n in range(50):
        send(frozen.port, "/slack/events", os.urandom(n * 7), [("X-Slack-Signature", "v0=" + "0" * 64)])
    nothing_happened(frozen)
