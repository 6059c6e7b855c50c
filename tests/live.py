"""Real servers for tests: an asyncio loop in a thread, aiohttp apps on 127.0.0.1, and a raw
HTTP client that sends exactly the bytes and headers a test asks for."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import http.client
import json
import threading
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import web

T = TypeVar("T")


class Loop:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.runners: list[web.AppRunner] = []

    def run(self, work: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)

    def serve(self, app: web.Application, **limits: int) -> int:
        async def start() -> int:
            runner = web.AppRunner(app, access_log=None, shutdown_timeout=5, **limits)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            self.runners.append(runner)
            return int(runner.addresses[0][1])

        return self.run(start())

    def close(self) -> None:
        for runner in reversed(self.runners):
            self.run(runner.cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def send(
    port: int,
    path: str,
    body: bytes = b"",
    headers: Sequence[tuple[str, str]] = (),
    method: str = "POST",
    timeout: float = 30,
) -> Reply:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.putrequest(method, path)
        names = {name.lower() for name, _ in headers}
        for name, value in headers:
            try:
                value.encode("latin-1")
                connection.putheader(name, value)
            except UnicodeEncodeError:
                connection.putheader(name, value.encode("utf-8"))
        if "content-length" not in names:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return Reply(response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()


def slack_signature(secret: str, timestamp: str, body: bytes) -> str:
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str,
    timestamp: int | str,
    body: bytes,
    content_type: str = "application/json",
    extra: Sequence[tuple[str, str]] = (),
) -> list[tuple[str, str]]:
    ts = str(timestamp)
    return [
        ("Content-Type", content_type),
        ("X-Slack-Request-Timestamp", ts),
        ("X-Slack-Signature", slack_signature(secret, ts, body)),
        *extra,
    ]


@contextmanager
def slow_claims(store: Any, wait: Callable[[], object]) -> Iterator[None]:
    """The delivery claims (``store``) call ``wait()`` before they reach the database (a slow one)."""
    real = store.claim_many

    def slow(items: Any, at: Any) -> list[bool]:
        wait()
        return list(real(items, at))

    store.claim_many = slow
    try:
        yield
    finally:
        store.claim_many = real
