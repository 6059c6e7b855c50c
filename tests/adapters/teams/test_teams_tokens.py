"""Outbound Bot Connector tokens: fetched off the event loop, once, kept, and bounded in time
(issue 17, item 4), against a local stand-in for Azure AD's token endpoint."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import adapters.teams.tokens as tokens
from tests.live import send
from tests.teamskit import TeamsRig, TokenEndpoint, activity


def test_a_slow_token_endpoint_does_not_stall_the_server(tmp_path: Path) -> None:
    endpoint = TokenEndpoint()
    rig = TeamsRig(tmp_path, credentials=endpoint.credentials())
    try:
        with ThreadPoolExecutor(3) as pool:
            posts = [pool.submit(rig.post, activity("message_personal", id=f"slow-{i}")) for i in range(3)]
            assert endpoint.requested.wait(20)
            # The token endpoint is still holding its answer: the server answers meanwhile.
            assert send(rig.port, "/healthz", method="GET", timeout=5).status == 200
            assert not endpoint.release.is_set()
            endpoint.release.set()
            assert [p.result(30).status for p in posts] == [201, 201, 201]
        replies = rig.connector.wait_for(3)
        assert len(replies) == 3 and endpoint.requests == 1
        assert len({r["_auth"] for r in replies}) == 1 and replies[0]["_auth"].startswith("Bearer ey")
        # Kept until shortly before it expires: the next activity fetches nothing.
        assert rig.post(activity("message_personal", id="later")).status == 201
        assert len(rig.connector.wait_for(4)) == 4 and endpoint.requests == 1
    finally:
        rig.close()
        endpoint.close()


def test_a_token_endpoint_that_never_answers_fails_the_turn_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tokens, "TOKEN_TIMEOUT_SECONDS", 0.5)
    endpoint = TokenEndpoint()
    rig = TeamsRig(tmp_path, credentials=endpoint.credentials())
    try:
        reply = rig.post(activity("message_personal", id="stuck"))
        assert reply.status == 500 and json.loads(reply.body) == {"error": "internal error"}
        assert rig.connector.replies == [] and endpoint.requests == 1
        # The fetch still under way is shared, not repeated; once it lands the next turn works.
        endpoint.release.set()
        assert rig.post(activity("message_personal", id="after")).status == 201
        assert len(rig.connector.wait_for(1)) == 1 and endpoint.requests == 1
    finally:
        rig.close()
        endpoint.close()
