"""Teams activities that used to answer 500 (issue 17, item 6): each gets a 4xx saying why, or
is answered when it is in fact valid; nothing is sent anywhere for a refused one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.teamskit import APP_ID, TeamsRig, activity


def card_invoke(value: Any) -> dict[str, Any]:
    return activity("message_personal") | {"type": "invoke", "name": "adaptiveCard/action", "value": value}


@pytest.mark.parametrize("value", [{}, None, {"action": None}, {"action": {"type": "Action.Submit"}}, "x"])
def test_a_malformed_card_invoke_is_a_bad_request(teams: TeamsRig, value: Any) -> None:
    reply = teams.post(card_invoke(value))
    assert reply.status == 400 and "Action.Execute" in json.loads(reply.body)["error"]
    assert teams.connector.replies == []


def test_a_well_formed_card_invoke_is_not_implemented(teams: TeamsRig) -> None:
    reply = teams.post(card_invoke({"action": {"type": "Action.Execute", "verb": "go", "data": {}}}))
    assert reply.status == 501


def test_a_token_whose_audience_is_a_list_naming_the_bot_is_answered(teams: TeamsRig) -> None:
    token = teams.token(aud=["someone-else", APP_ID])
    assert teams.post(activity("message_personal", id="aud-list"), token=token).status == 201
    assert len(teams.connector.wait_for(1)) == 1
    other = teams.token(aud=["x"])
    assert teams.post(activity("message_personal", id="aud-other"), token=other).status == 401


@pytest.fixture
def anonymous(tmp_path: Path) -> Iterator[TeamsRig]:
    """Development without an app id: no token pins the serviceUrl."""
    rig = TeamsRig(tmp_path, app_id="")
    yield rig
    rig.close()


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"serviceUrl": "file:///etc/passwd"}, "serviceUrl"),
        ({"serviceUrl": "gopher://127.0.0.1:70/"}, "serviceUrl"),
        ({"serviceUrl": "http://"}, "serviceUrl"),
        ({"serviceUrl": None}, "serviceUrl"),
        ({"serviceUrl": 42}, "serviceUrl"),
        ({"conversation": None}, "conversation"),
        ({"conversation": {"name": "no id"}}, "conversation"),
        ({"conversation": "a:1"}, "conversation"),
    ],
)
def test_an_activity_that_cannot_be_answered_is_a_bad_request(
    anonymous: TeamsRig, changes: dict[str, Any], reason: str
) -> None:
    reply = anonymous.post(activity("message_personal") | changes, token=None)
    assert reply.status == 400 and reason in json.loads(reply.body)["error"]
    assert anonymous.connector.replies == [] and anonymous.rows() == []


def test_an_activity_without_a_conversation_key_is_a_bad_request(anonymous: TeamsRig) -> None:
    body = activity("message_personal")
    del body["conversation"]
    assert anonymous.post(body, token=None).status == 400
