"""A Slack test rig: the fake Web API and the real advisor server, both on 127.0.0.1."""

from __future__ import annotations

import copy
import itertools
import json
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from adapters.server import HTTP_LIMITS, SLACK, build_app
from bot import load_settings
from bot.querylog.records import QuestionRecord
from bot.service import Service
from bot.testing import shipped_advisor

from .live import Loop, Reply, send, signed_headers
from .slack_api import SlackApi

SECRET = "test-signing-secret"
FIXTURES = Path(__file__).parent / "fixtures" / "slack"
TRIGGERS = itertools.count()
EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def fixture(name: str, **event: Any) -> dict[str, Any]:
    data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    if event:
        data = copy.deepcopy(data)
        data.setdefault("event", {}).update(event)
    return data


class SlackRig:
    def __init__(
        self,
        tmp_path: Path,
        database_url: str | None = None,
        clock: Callable[[], float] = time.time,
        slack: SlackRig | None = None,
        **settings: Any,
    ) -> None:
        """``slack``: another rig whose fake Slack this one shares (two replicas, one workspace)."""
        self.clock = clock
        self.loop = Loop()
        if slack is None:
            self.api = SlackApi()
            api_port = self.loop.serve(self.api.app())
        else:
            self.api, api_port = slack.api, slack.api_port
        self.api_port = api_port
        self.hook_base = f"http://127.0.0.1:{api_port}/respond/"
        values: dict[str, Any] = {
            "env": "development",
            "data_dir": tmp_path,
            "database_url": database_url or f"sqlite:///{tmp_path / 'log.db'}",
            "slack_signing_secret": SECRET,
            "slack_bot_token": "xoxb-test",
            "slack_api_url": f"http://127.0.0.1:{api_port}/api/",
            "slack_response_hosts": [f"http://127.0.0.1:{api_port}"],
            "log_flush_seconds": 0.02,
        }
        self.settings = load_settings(**(values | settings))
        self.service = Service.start(self.settings, migrate=True, base=shipped_advisor())
        if database_url:
            self.service.store.upgrade()
        self.app = build_app(self.service, self.settings, clock)
        self.port = self.loop.serve(self.app, **HTTP_LIMITS)

    def close(self) -> None:
        self.loop.close()
        self.service.close()

    # -- sending ------------------------------------------------------------------------------

    def post(
        self,
        body: bytes | dict[str, Any],
        *,
        timestamp: int | str | None = None,
        secret: str = SECRET,
        content_type: str = "application/json",
        headers: Sequence[tuple[str, str]] = (),
    ) -> Reply:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        ts = int(self.clock()) if timestamp is None else timestamp
        return send(self.port, "/slack/events", raw, signed_headers(secret, ts, raw, content_type, headers))

    def command(self, text: str, **fields: str) -> Reply:
        data = fixture("command") | {"text": text, "response_url": self.hook_base + "cmd"}
        data = data | {"trigger_id": f"{time.time():.6f}.{next(TRIGGERS)}"} | fields
        return self.post(urlencode(data).encode(), content_type="application/x-www-form-urlencoded")

    def click(
        self,
        action_id: str,
        value: dict[str, Any] | None = None,
        *,
        state: dict[str, Any] | None = None,
        ephemeral: bool = False,
        hook: str = "click",
        **extra: Any,
    ) -> Reply:
        payload = fixture("block_actions")
        payload["actions"] = [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b",
                "value": json.dumps(value or {}),
                "action_ts": "1700000010.000000",
            }
        ]
        payload["state"] = {"values": state or {}}
        payload["container"]["is_ephemeral"] = ephemeral
        payload["response_url"] = self.hook_base + hook
        payload.update(extra)
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, content_type="application/x-www-form-urlencoded")

    def submit(
        self, callback_id: str, metadata: str, values: dict[str, Any], user: dict[str, str] | None = None
    ) -> Reply:
        """A modal's submission: ``values`` maps block ids to what was typed or picked."""
        state = {
            block: {"value": {"type": "static_select", "selected_option": {"value": v[1:]}}}
            if isinstance(v, str) and v.startswith("=")
            else {"value": {"type": "plain_text_input", "value": v}}
            for block, v in values.items()
        }
        payload = {
            "type": "view_submission",
            "team": {"id": "T0001", "domain": "example"},
            "user": user or {"id": "U0001", "username": "alex", "name": "alex", "team_id": "T0001"},
            "api_app_id": "A0001",
            "token": "legacy",
            "trigger_id": f"{time.time():.6f}.{next(TRIGGERS)}",
            "view": {
                "id": "V0001",
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": metadata,
                "state": {"values": state},
            },
        }
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, content_type="application/x-www-form-urlencoded")

    # -- looking ------------------------------------------------------------------------------

    def rows(self, expect: int | None = None, timeout: float = 5.0) -> list[QuestionRecord]:
        deadline = time.monotonic() + timeout
        while True:
            self.service.writer.flush(5)
            rows = self.service.store.questions(*EVER)
            if expect is None or len(rows) >= expect or time.monotonic() > deadline:
                return rows
            time.sleep(0.05)

    def settle(self, seconds: float = 0.5) -> None:
        """Let background answers run (for checks that something did NOT happen)."""
        time.sleep(seconds)
        self.loop.run(self._idle())

    async def _idle(self) -> None:
        slack = self.app[SLACK]
        await slack.tasks.drain(10)


def texts_of(payload: dict[str, Any]) -> list[str]:
    """Every text Slack would render from a message payload: the fallback and each text object."""
    found = [payload.get("text", "")]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(payload.get("blocks", []))
    return found
