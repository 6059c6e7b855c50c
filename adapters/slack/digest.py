"""The weekly digest in the Slack owners' channel: each replica looks now and then whether this
week's is due, and the one that records the week first sends it (:mod:`bot.tickets.digest`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.querylog.records import QueryLog
from bot.tickets.digest import Digest, DigestLedger, build_digest, due_week
from bot.tickets.records import TicketStore

from .blocks import escape

__all__ = ["SlackDigest", "digest_blocks"]

log = logging.getLogger(__name__)

CHECK_SECONDS = 300.0


def _hours(seconds: float) -> str:
    hours = int(seconds // 3600)
    return f"{hours // 24} d" if hours >= 48 else f"{hours} h"


def digest_blocks(digest: Digest, public_url: str) -> tuple[str, list[dict[str, Any]]]:
    outcomes = digest.outcomes
    head = f"Advisor weekly digest · {digest.week}"
    figures = (
        f"*{digest.questions}* questions · answered {outcomes.get('answered', 0)} · declined "
        f"{outcomes.get('declined', 0)} · asked back {outcomes.get('clarify', 0)} · not helpful "
        f"{digest.not_helpful}"
    )
    oldest = digest.oldest_open()
    urgent = sum(t.urgent for t in digest.open_tickets)
    tickets = f"*{len(digest.open_tickets)}* open tickets" + (f" ({urgent} urgent)" if urgent else "")
    if oldest is not None:
        tickets += f", the oldest waiting {_hours(oldest.total_seconds())}"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": head}},
        {"type": "section", "text": {"type": "mrkdwn", "text": figures}},
        {"type": "section", "text": {"type": "mrkdwn", "text": tickets}},
    ]
    period = urlencode({"since": digest.since.date().isoformat(), "until": digest.until.date().isoformat()})
    for index, group in enumerate(digest.clusters):
        line = (
            f"{group.count} × “{escape(group.examples[0][:200])}” (nearest: {group.nearest_topic or 'none'})"
        )
        block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": line}}
        if public_url:
            block["accessory"] = {
                "type": "button",
                "text": {"type": "plain_text", "text": "Open in /admin"},
                "url": f"{public_url.rstrip('/')}/admin?{period}#unanswered",
                "action_id": f"advisor:digest-open:{index}",
            }
        blocks.append(block)
    return f"{head}: {digest.questions} questions, {len(digest.open_tickets)} open tickets", blocks


class SlackDigest:
    def __init__(
        self,
        log_store: QueryLog,
        tickets: TicketStore,
        ledger: DigestLedger,
        client: AsyncWebClient,
        channel: str,
        *,
        weekday: int,
        hour: int,
        public_url: str = "",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.log_store = log_store
        self.tickets = tickets
        self.ledger = ledger
        self.client = client
        self.channel = channel
        self.weekday, self.hour = weekday, hour
        self.public_url = public_url
        self.clock = clock
        self.sent = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="slack-digest")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                await self.send_if_due()
            except Exception:  # noqa: BLE001 - the loop's one boundary: try again next time
                log.exception("the weekly digest could not be sent")
            await asyncio.sleep(CHECK_SECONDS)

    async def send_if_due(self) -> bool:
        """Send this week's digest if it is due and no replica has; True when this one did."""
        now = self.clock()
        week = due_week(now, self.weekday, self.hour)
        if week is None or not await asyncio.to_thread(self.ledger.claim, week, now):
            return False
        digest = await asyncio.to_thread(build_digest, self.log_store, self.tickets, week, now)
        text, blocks = digest_blocks(digest, self.public_url)
        try:
            await self.client.chat_postMessage(channel=self.channel, text=text, blocks=blocks)
        except (SlackApiError, SlackClientError, TimeoutError, OSError) as exc:
            log.warning("the weekly digest could not be posted (%s); tried again later", type(exc).__name__)
            await asyncio.to_thread(self.ledger.release, week)
            return False
        self.sent += 1
        return True
