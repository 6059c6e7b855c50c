"""Property-based fuzzing of the chat ingress (issue 17, systemic): Slack events and slash
commands and Teams activities whose text holds lone surrogates, NUL, control and bidi
characters, or is huge or empty. Nothing answers 500, no request or background answer fails
with a traceback, and every question still gets an answer."""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.slackkit import SlackRig, fixture
from tests.teamskit import TeamsRig, activity

SPECIAL = [
    "\x00",
    "\ud800",
    "\udfff",
    "\udc80",
    "\u202e",
    "\u2066",
    "\u200f",
    "\x1b[31m",
    "\r\n",
    "\t",
    "\ufeff",
]

texts = st.one_of(
    st.just(""),
    st.text(st.characters(exclude_categories=()), max_size=200),
    st.lists(st.one_of(st.sampled_from(SPECIAL), st.text(max_size=8)), max_size=30).map("".join),
    st.tuples(st.sampled_from(["a", "ש", "\ud800", "\x00", " "]), st.sampled_from([5_000, 60_000])).map(
        lambda pair: pair[0] * pair[1]
    ),
)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
ids = itertools.count()


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    failed = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert failed == [], [r.getMessage() for r in failed]


@pytest.fixture(scope="module")
def slack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlackRig]:
    rig = SlackRig(tmp_path_factory.mktemp("slack-fuzz"), slack_channel_rate=1000)
    yield rig
    rig.close()


@pytest.fixture(scope="module")
def teams(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TeamsRig]:
    rig = TeamsRig(tmp_path_factory.mktemp("teams-fuzz"))
    yield rig
    rig.close()


@FUZZ
@given(text=texts)
def test_slack_events(slack: SlackRig, caplog: pytest.LogCaptureFixture, text: str) -> None:
    caplog.clear()
    n = next(ids)
    event = fixture("event_dm", text=text, ts=f"1700000000.{n:06d}")
    event["event_id"] = f"EvFuzz{n}"
    before, logged = len(slack.api.of("chat.postMessage")), len(slack.rows())
    reply = slack.post(json.dumps(event).encode())  # ASCII JSON: lone surrogates as \ud800
    assert reply.status < 500 or reply.status == 503, reply.body
    if reply.status == 200:
        assert len(slack.api.wait_for(before + 1, "chat.postMessage", timeout=20)) == before + 1
        assert len(slack.rows(logged + 1)) == logged + 1  # the query log keeps storing
    slack.settle(0)
    no_tracebacks(caplog)


@FUZZ
@given(text=texts)
def test_slack_commands(slack: SlackRig, caplog: pytest.LogCaptureFixture, text: str) -> None:
    caplog.clear()
    n = next(ids)
    hook = f"fuzz{n}"
    fields = fixture("command") | {"response_url": slack.hook_base + hook, "trigger_id": f"fuzz.{n}"}
    form = "&".join(f"{k}={quote(v)}" for k, v in fields.items())
    # As a browser would send a string it cannot encode: surrogates as their (invalid) UTF-8.
    body = f"{form}&text={quote(text.encode('utf-8', 'surrogatepass'))}".encode()
    reply = slack.post(body, content_type="application/x-www-form-urlencoded")
    assert reply.status < 500 or reply.status == 503, reply.body
    if reply.status == 200:
        assert len(slack.api.wait_for(1, f"respond:{hook}", timeout=20)) == 1
    slack.settle(0)
    no_tracebacks(caplog)


@FUZZ
@given(text=texts, kind=st.sampled_from(["message_personal", "message_channel_mention"]))
def test_teams_activities(teams: TeamsRig, caplog: pytest.LogCaptureFixture, text: str, kind: str) -> None:
    caplog.clear()
    n = next(ids)
    before, logged = len(teams.connector.replies), len(teams.rows())
    reply = teams.post(activity(kind, id=f"fuzz-{n}", text=text))
    assert reply.status < 500, reply.body
    if reply.status in (200, 201):
        assert len(teams.connector.wait_for(before + 1)) == before + 1
        assert len(teams.rows()) == logged + 1  # the query log keeps storing
    no_tracebacks(caplog)


@FUZZ
@given(
    value=st.dictionaries(st.sampled_from(["advisor", "q", "t", "c", "l", "r", "item:a"]), texts, max_size=5)
)
def test_teams_card_actions(teams: TeamsRig, caplog: pytest.LogCaptureFixture, value: dict[str, str]) -> None:
    caplog.clear()
    reply = teams.post(activity("card_action", id=f"fuzz-{next(ids)}", value=value))
    assert reply.status < 500, reply.body
    no_tracebacks(caplog)
