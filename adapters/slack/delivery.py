"""Everything the advisor sends to Slack, paced and retried within Slack's limits.

- ``chat.postMessage`` allows about one message per second per channel: a small token bucket
  per channel lets a short burst through, then spaces messages out.
- A ``response_url`` takes at most five posts within thirty minutes: past that, or when it is
  not an https URL of Slack's on the default port, the advisor falls back to an ephemeral
  message through the Web API.
- 429 answers are retried after their ``Retry-After``; 5xx answers and connection errors with
  exponential backoff and jitter, a bounded number of times. A message that still cannot be
  delivered is logged (ids only, never its text) and counted.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient
from yarl import URL

__all__ = ["Delivery", "Pacer", "ResponseUrlBudget", "retry_handlers", "sdk_logger"]

log = logging.getLogger(__name__)

RESPONSE_URL_POSTS = 5
RESPONSE_URL_SECONDS = 30 * 60
# Never let Slack turn text into links, mentions or previews.
SAFE_FLAGS = {"unfurl_links": False, "unfurl_media": False}


def retry_handlers(retries: int = 3) -> list[Any]:
    backoff = BackoffRetryIntervalCalculator(backoff_factor=0.5)
    return [
        AsyncRateLimitErrorRetryHandler(max_retry_count=retries),
        AsyncServerErrorRetryHandler(max_retry_count=retries, interval_calculator=backoff),
        AsyncConnectionErrorRetryHandler(max_retry_count=retries, interval_calculator=backoff),
    ]


class Pacer:
    """A token bucket per key: ``burst`` messages at once, then ``rate`` per second."""

    def __init__(self, rate: float, burst: int = 2, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._next: dict[str, float] = {}
        self._lock = asyncio.Lock()

    async def wait(self, key: str) -> None:
        async with self._lock:
            now = self.clock()
            earliest = now - (self.burst - 1) / self.rate
            slot = max(self._next.get(key, earliest), earliest)
            self._next[key] = slot + 1 / self.rate
            if len(self._next) > 10_000:
                self._next = {k: v for k, v in self._next.items() if v > now}
        delay = slot - now
        if delay > 0:
            await asyncio.sleep(delay)


@dataclass
class ResponseUrlBudget:
    clock: Callable[[], float] = time.monotonic
    _uses: dict[str, list[float]] = field(default_factory=dict)

    def take(self, url: str) -> bool:
        """Use one post of ``url`` if it has any left."""
        now = self.clock()
        uses = self._uses.setdefault(url, [])
        if len(self._uses) > 10_000:
            self._uses = {u: t for u, t in self._uses.items() if now - t[0] < RESPONSE_URL_SECONDS}
            self._uses.setdefault(url, uses)
        if len(uses) >= RESPONSE_URL_POSTS or (uses and now - uses[0] >= RESPONSE_URL_SECONDS):
            return False
        uses.append(now)
        return True


def _origin(host: str) -> tuple[str, str | None, int | None]:
    """``hooks.slack.com`` means ``https://hooks.slack.com:443``; an entry with a scheme (a
    local stand-in, ``http://127.0.0.1:8080``) is taken as the origin it names."""
    url = URL(host if "://" in host else f"https://{host}")
    return url.scheme, url.host, url.port


def sdk_logger() -> logging.Logger:
    """The logger for slack-sdk's clients. Unless their logger's own level is above DEBUG, they
    format a debug line with the whole request and response on every call, even when nothing
    prints it (some CPU per message, and the text of answers); warnings and errors still show."""
    logger = logging.getLogger("advisor.slack.sdk")
    logger.setLevel(logging.WARNING)
    return logger


class Delivery:
    def __init__(
        self,
        client: AsyncWebClient,
        rate: float,
        response_hosts: Sequence[str] = ("hooks.slack.com",),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.response_origins = frozenset(_origin(host) for host in response_hosts)
        self.pacer = Pacer(rate, clock=clock)
        self.budget = ResponseUrlBudget(clock)
        self.failures = 0

    async def post(
        self, channel: str, text: str, blocks: list[dict[str, Any]], thread_ts: str | None = None
    ) -> bool:
        await self.pacer.wait(channel)
        return await self._call(
            "chat.postMessage", channel=channel, text=text, blocks=blocks, thread_ts=thread_ts, **SAFE_FLAGS
        )

    async def ephemeral(
        self, channel: str, user: str, text: str, blocks: list[dict[str, Any]], thread_ts: str | None = None
    ) -> bool:
        await self.pacer.wait(channel)
        return await self._call(
            "chat.postEphemeral", channel=channel, user=user, text=text, blocks=blocks, thread_ts=thread_ts
        )

    async def call(self, method: str, **arguments: Any) -> bool:
        """Any other Web API method (the agent view's status, title and prompts), retried the
        same way; a failure is logged and counted, never raised."""
        return await self._call(method, **arguments)

    async def publish_home(self, user: str, view: dict[str, Any]) -> bool:
        return await self._call("views.publish", user_id=user, view=view)

    async def respond(
        self,
        response_url: str,
        text: str,
        blocks: list[dict[str, Any]],
        *,
        replace: bool = False,
        fallback: tuple[str, str] | None = None,
    ) -> bool:
        """Answer through a ``response_url`` while its budget lasts, else as an ephemeral
        message to ``fallback`` (channel, user)."""
        if not self.is_response_url(response_url) or not self.budget.take(response_url):
            return await self.ephemeral(*fallback, text, blocks) if fallback else False
        body = {
            "text": text,
            "blocks": blocks,
            "response_type": "ephemeral",
            "replace_original": replace,
            **SAFE_FLAGS,
        }
        webhook = AsyncWebhookClient(
            response_url, timeout=10, retry_handlers=retry_handlers(), logger=sdk_logger()
        )
        try:
            response = await webhook.send_dict(body)
        except (TimeoutError, SlackClientError, OSError) as exc:
            return self._failed("response_url", type(exc).__name__)
        if response.status_code >= 300:
            return self._failed("response_url", f"HTTP {response.status_code}")
        return True

    def is_response_url(self, url: str) -> bool:
        """A ``response_url`` of Slack's own: https on the default port (or one of the origins
        set), a host named in the settings, nothing before it (no user, no ``\\@`` trick)."""
        if not isinstance(url, str) or not url.isascii() or "\\" in url or len(url) > 2000:
            return False
        try:
            parsed = URL(url)
        except ValueError:
            return False
        if parsed.user is not None or parsed.password is not None or parsed.fragment:
            return False
        return (parsed.scheme, parsed.host, parsed.port) in self.response_origins

    async def _call(self, method: str, **arguments: Any) -> bool:
        try:
            await self.client.api_call(method, json={k: v for k, v in arguments.items() if v is not None})
            return True
        except SlackApiError as exc:
            return self._failed(method, str(exc.response.get("error", exc.response.status_code)))
        except (TimeoutError, SlackClientError, OSError) as exc:
            return self._failed(method, type(exc).__name__)

    def _failed(self, method: str, reason: str) -> bool:
        self.failures += 1
        log.error("Slack delivery failed after retries: %s (%s)", method, reason)
        return False
