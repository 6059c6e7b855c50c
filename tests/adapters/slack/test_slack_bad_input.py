"""Slack requests that used to answer 500, go where they must not, or get answered more than
once (issue 17, item 6), through the real server and Bolt."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlencode

import pytest

from adapters.slack.delivery import Delivery
from tests.slackkit import SlackRig, fixture

FORM = "application/x-www-form-urlencoded"


def command_body(rig: SlackRig, **fields: str) -> bytes:
    data = fixture("command") | {"text": "can I post on linkedin", "response_url": rig.hook_base + "cmd"}
    return urlencode(data | fields).encode()


def test_a_signed_form_labelled_json_is_a_bad_request(slack: SlackRig) -> None:
    reply = slack.post(command_body(slack), content_type="application/json")
    assert reply.status == 400 and "application/json" in reply.json()["error"]
    slack.settle(0.2)
    assert slack.api.of("respond:cmd") == [] and slack.rows() == []


@pytest.mark.parametrize(
    "headers",
    [[], [("X-Slack-Retry-Num", "1"), ("X-Slack-Retry-Reason", "http_timeout")]],
    ids=["replayed", "retried"],
)
def test_a_replayed_slash_command_is_answered_once(slack: SlackRig, headers: list[tuple[str, str]]) -> None:
    body = command_body(slack, trigger_id="1700000099.0001.replay")
    for _ in range(3):
        assert slack.post(body, content_type=FORM, headers=headers).status == 200
    slack.api.wait_for(1, "respond:cmd", timeout=10)
    slack.settle()
    assert len(slack.api.of("respond:cmd")) == 1 and len(slack.rows()) == 1


def test_distinct_commands_are_each_answered(slack: SlackRig) -> None:
    for n in range(2):
        assert (
            slack.post(command_body(slack, trigger_id=f"1700000099.0001.{n}"), content_type=FORM).status
            == 200
        )
    slack.api.wait_for(2, "respond:cmd", timeout=10)
    assert len(slack.api.of("respond:cmd")) == 2


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example\\@hooks.slack.com/x",
        "https://evil.example%5C@hooks.slack.com/x",
        "https://user@hooks.slack.com/x",
        "https://user:pw@hooks.slack.com/x",
        "http://HOOKS.SLACK.COM:9001/",
        "http://hooks.slack.com/commands/x",
        "https://hooks.slack.com:8443/commands/x",
        "https://hooks.slack.com.evil.example/x",
        "ftp://hooks.slack.com/x",
        "https://[::1/x",
        "https://hooks.slack.com\u2024evil/x",
        "",
    ],
)
def test_a_response_url_that_is_not_slacks_is_not_posted_to(
    tmp_path: Path, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    slack = SlackRig(tmp_path, slack_response_hosts=["hooks.slack.com"])
    try:
        posted_elsewhere(slack, url)
    finally:
        slack.close()
    assert "Traceback" not in caplog.text and "evil" not in caplog.text


def posted_elsewhere(slack: SlackRig, url: str) -> None:
    assert slack.post(command_body(slack, response_url=url), content_type=FORM).status == 200
    # Answered as an ephemeral message through the Web API instead.
    assert len(slack.api.wait_for(1, "chat.postEphemeral", timeout=10)) == 1
    slack.settle()


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://hooks.slack.com/commands/T1/2/x", True),
        ("https://HOOKS.slack.com/commands/T1/2/x", True),
        ("https://hooks.slack.com:443/commands/T1/2/x", True),
        ("http://hooks.slack.com:443/commands/T1/2/x", False),
        ("https://hooks.slack.com:9001/commands/T1/2/x", False),
    ],
)
def test_response_urls_need_https_on_the_default_port(url: str, ok: bool) -> None:
    assert Delivery(None, 1.0).is_response_url(url) is ok  # type: ignore[arg-type]
