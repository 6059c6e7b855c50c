"""A local stand-in for Slack's Web API and response_url endpoints: records every call and
can be told to answer some with 429 or 5xx."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web

BOT_USER = "UADVISOR"
BOT_ID = "BADVISOR"


@dataclass
class Call:
    method: str
    payload: dict[str, Any]
    at: float
    headers: dict[str, str]


@dataclass
class SlackApi:
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    delay: float = 0.0
    stall: float = 0.0
    """Seconds a chat.postMessage waits before it counts as received; a caller that goes away
    meanwhile (its process killed) never posted. ``stalled`` counts the waits begun."""
    stalled: int = 0
    _ts: Any = field(default_factory=lambda: itertools.count(1))

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    """What users.info answers for each user id (locale, is_admin, is_owner)."""
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    """What conversations.info answers for each channel id (creator)."""

    socket_port: int = 0
    socket_envelopes: list[dict[str, Any]] = field(default_factory=list)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/respond/{hook}", self._respond)
        app.router.add_get("/socket", self._socket)
        return app

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, send the queued envelopes, collect the acknowledgements."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0001"}})
        for envelope in self.socket_envelopes:
            await ws.send_json(envelope)
        async for message in ws:
            if message.type == web.WSMsgType.TEXT:
                self.socket_acks.append(json.loads(message.data))
        return ws

    def fail(self, method: str, *responses: tuple[int, dict[str, str]]) -> None:
        """Answer the next calls of ``method`` with these statuses and headers, in order."""
        self.failures.setdefault(method, []).extend(responses)

    async def _payload(self, request: web.Request) -> dict[str, Any]:
        raw = await request.read()
        if request.content_type == "application/json":
            data = json.loads(raw or b"{}")
            return data if isinstance(data, dict) else {}
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        for key in ("blocks", "view"):
            if key in form:
                form[key] = json.loads(form[key])
        return form

    def _scripted(self, method: str) -> web.Response | None:
        planned = self.failures.get(method)
        if planned:
            status, headers = planned.pop(0)
            return web.json_response({"ok": False, "error": "scripted"}, status=status, headers=headers)
        return None

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        payload = await self._payload(request)
        if self.stall and method == "chat.postMessage":
            self.stalled += 1
            deadline = time.monotonic() + self.stall
            while time.monotonic() < deadline and request.transport and not request.transport.is_closing():
                await asyncio.sleep(0.05)
            if not request.transport or request.transport.is_closing():
                return web.Response(status=499)
        self.calls.append(Call(method, payload, time.monotonic(), dict(request.headers)))
        if self.delay:
            await asyncio.sleep(self.delay)
        scripted = self._scripted(method)
        if scripted:
            return scripted
        if method == "apps.connections.open":
            host = request.headers.get("Host", "127.0.0.1")
            return web.json_response({"ok": True, "url": f"ws://{host}/socket"})
        if method == "auth.test":
            return web.json_response({"ok": True, "user_id": BOT_USER, "bot_id": BOT_ID, "team_id": "T0001"})
        if method == "chat.postMessage":
            return web.json_response({"ok": True, "ts": f"1800000000.{next(self._ts):06d}"})
        if method == "chat.postEphemeral":
            return web.json_response({"ok": True, "message_ts": f"1800000000.{next(self._ts):06d}"})
        if method == "users.info":
            found = self.users.get(str(payload.get("user")))
            if found is None:
                return web.json_response({"ok": False, "error": "user_not_found"})
            return web.json_response({"ok": True, "user": {"id": payload.get("user")} | found})
        if method == "conversations.info":
            channel = self.channels.get(str(payload.get("channel")))
            if channel is None:
                return web.json_response({"ok": False, "error": "channel_not_found"})
            return web.json_response({"ok": True, "channel": {"id": payload.get("channel")} | channel})
        return web.json_response({"ok": True})

    async def _respond(self, request: web.Request) -> web.Response:
        name = "respond:" + request.match_info["hook"]
        self.calls.append(Call(name, await self._payload(request), time.monotonic(), dict(request.headers)))
        scripted = self._scripted(name)
        return scripted or web.Response(text="ok")

    def of(self, method: str) -> list[dict[str, Any]]:
        return [c.payload for c in self.calls if c.method == method]

    def messages(self) -> list[dict[str, Any]]:
        """Everything that would appear in Slack: posts, ephemerals and response_url posts."""
        return [
            c.payload
            for c in self.calls
            if c.method in ("chat.postMessage", "chat.postEphemeral") or c.method.startswith("respond:")
        ]

    def wait_for(self, count: int, method: str | None = None, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.of(method) if method else self.messages()
            if len(found) >= count:
                return found
            time.sleep(0.02)
        return self.of(method) if method else self.messages()
