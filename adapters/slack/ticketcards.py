"""The tickets' cards in the Slack owners' channel: posted once, updated in place.

A replica posts a card only while it holds the ticket's claim on it (:meth:`Desk.claim_card`),
so two replicas never post one twice. When the owners' channel cannot be reached the ticket is
kept and its card tried again after ``retry_seconds``, twice as long after each failure up to
five minutes, for as long as the ticket is unfinished; the failures and the cards waiting are
counted for ``/metrics``. Every ``sweep_seconds`` each replica also looks for cards nobody is
posting (a ticket opened on the command line, a replica that stopped) and posts them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.tickets.desk import Desk
from bot.tickets.records import Ticket

from ..tasks import Tasks
from .ticketblocks import owner_card

__all__ = ["OwnerCards"]

log = logging.getLogger(__name__)

MAX_RETRY_SECONDS = 300.0
CLAIM_SECONDS = 60.0


class OwnerCards:
    def __init__(
        self,
        desk: Desk,
        client: AsyncWebClient,
        tasks: Tasks,
        channel: str,
        retry_seconds: float,
        sweep_seconds: float,
        routes: Mapping[str, str] | None = None,
    ) -> None:
        """``routes``: other owners' channels by topic or language (``{"he": "C...",
        "fake-profile": "C..."}``); a ticket's topic decides before its language."""
        self.desk = desk
        self.client = client
        self.tasks = tasks
        self.owner_channel = channel
        self.routes = dict(routes or {})
        self.retry_seconds = retry_seconds
        self.sweep_seconds = sweep_seconds
        self.replica = secrets.token_hex(8)
        self.card_failures = 0
        self.cards_waiting: set[int] = set()
        self.card_locks: dict[int, asyncio.Lock] = {}
        self._sweeper: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.owner_channel:
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep(), name="slack-ticket-sweep")

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper

    async def _sweep(self) -> None:
        """Now and then, post the cards nobody is posting: tickets opened from the command line,
        or whose replica stopped while the owners' channel was unreachable."""
        while True:
            await asyncio.sleep(self.sweep_seconds)
            try:
                missing = await asyncio.to_thread(self._missing)
            except Exception:  # noqa: BLE001 - the sweep's one boundary: look again next time
                log.exception("tickets without a Slack card could not be listed")
                continue
            for number in missing:
                if number not in self.card_locks:
                    self.tasks.spawn(self.show(number), "slack-ticket")

    def _missing(self) -> list[int]:
        return [t.number for t in self.desk.without_card("slack")]

    async def show(self, number: int) -> None:
        """Post the ticket's card, or update it where it is; retried with backoff while the
        owners' channel cannot be reached and the ticket is unfinished."""
        lock = self.card_locks.setdefault(number, asyncio.Lock())
        async with lock:
            await self._card_once(number)
        if not lock.locked():
            self.card_locks.pop(number, None)

    async def _card_once(self, number: int) -> None:
        wait = self.retry_seconds
        while True:
            ticket = await asyncio.to_thread(self.desk.get, number)
            if ticket is None:
                return
            text, blocks = owner_card(ticket)
            where = ticket.cards.get("slack") or {}
            if "ts" in where:
                if await self._call(
                    "chat.update", channel=where["channel"], ts=where["ts"], text=text, blocks=blocks
                ):
                    return
            else:
                if ticket.status == "closed":
                    self.cards_waiting.discard(number)
                    return
                # Only the replica holding the claim posts the card, so it is posted once.
                until = datetime.now(UTC) + timedelta(seconds=wait + CLAIM_SECONDS)
                claimed = await asyncio.to_thread(self.desk.claim_card, number, "slack", self.replica, until)
                if claimed is None:
                    return
                channel = self.channel_for(ticket)
                ts = await self._post(channel, text, blocks)
                if ts is not None:
                    self.cards_waiting.discard(number)
                    await asyncio.to_thread(
                        self.desk.set_card, number, "slack", {"channel": channel, "ts": ts}
                    )
                    return
            self.card_failures += 1
            if ticket.status == "closed":
                self.cards_waiting.discard(number)
                return
            self.cards_waiting.add(number)
            await asyncio.sleep(wait)
            wait = min(wait * 2, MAX_RETRY_SECONDS)

    def channel_for(self, ticket: Ticket) -> str:
        return self.routes.get(ticket.topic or "") or self.routes.get(ticket.lang) or self.owner_channel

    async def _post(self, channel: str, text: str, blocks: list[dict[str, Any]]) -> str | None:
        try:
            response = await self.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        except (SlackApiError, SlackClientError, TimeoutError, OSError) as exc:
            log.warning("the owners' channel could not be reached (%s)", type(exc).__name__)
            return None
        ts = response.get("ts")
        return str(ts) if ts else None

    async def _call(self, method: str, **arguments: Any) -> bool:
        try:
            await self.client.api_call(method, json=arguments)
            return True
        except (SlackApiError, SlackClientError, TimeoutError, OSError) as exc:
            log.warning("Slack %s failed (%s)", method, type(exc).__name__)
            return False
