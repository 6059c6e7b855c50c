"""Keeping a platform's owners' cards and askers up to date with the tickets, whoever changed them.

:class:`TicketSweep` is what Slack and Teams share; each platform's ``OwnerCards`` (a
:class:`CardPoster`) only renders, posts and updates. A ticket's card is posted once (only the
replica holding the ticket's claim posts it, :meth:`Desk.claim_card`), then updated in place;
when the owners' channel cannot be reached the card is tried again after ``retry_seconds``,
twice as long after each failure up to five minutes, while the ticket is unfinished. The asker,
when they asked on this platform, is told of each change once: the news is claimed in the store
before it is sent (:meth:`Desk.claim_news`), and given back when sending fails.

A change reaches it two ways: the desk's listener, in the process that made the change, and
every ``sweep_seconds`` a look at the tickets that are behind (:meth:`Desk.due`): a card nobody
posted, a card showing fewer events than the ticket has, an asker not told of every event (a
change made on the command line, on a replica that stopped before telling, or on a server
running another platform). The marks in the store make the listener and the sweeps, on every
replica, do each thing once.

Telling is at most once per event: the claim is stored before the message is sent, so two
replicas never both send it, and a replica that stops between the two loses that message (the
card, ``my-questions`` and the dashboard still show the change) rather than risking the asker
hearing it twice. A send that fails is given back and tried again by the next sweep, unless a
later change was told meanwhile; one the platform received but reported failed is sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.tickets.desk import Desk
from bot.tickets.marks import is_asker_behind, is_card_behind, news_since
from bot.tickets.records import Event, Ticket

from .tasks import Tasks

__all__ = ["CardPoster", "Tell", "TicketSweep"]

log = logging.getLogger(__name__)

MAX_RETRY_SECONDS = 300.0
CLAIM_SECONDS = 60.0

Tell = Callable[[Ticket, Event], Awaitable[bool]]
"""Tells the asker of one event of their ticket; False when it could not be sent."""


class CardPoster(Protocol):
    """How one platform shows a ticket's card to the owners."""

    platform: str

    async def post(self, channel: str, ticket: Ticket) -> dict[str, str] | None:
        """Post the ticket's card in ``channel``: where it is (with its ``ts``), None on failure."""
        ...

    async def update(self, where: Mapping[str, str], ticket: Ticket) -> bool:
        """Show ``ticket`` on its card where it is; False on failure."""
        ...


class TicketSweep:
    def __init__(
        self,
        desk: Desk,
        poster: CardPoster,
        tasks: Tasks,
        channel: str,
        retry_seconds: float,
        sweep_seconds: float,
        routes: Mapping[str, str] | None = None,
        tell: Tell | None = None,
    ) -> None:
        """``routes``: other owners' channels by topic or language (``{"he": ...,
        "fake-profile": ...}``); a ticket's topic decides before its language. ``tell``: how
        this platform tells an asker of a change."""
        self.desk = desk
        self.poster = poster
        self.platform = poster.platform
        self.tasks = tasks
        self.channel = channel
        self.routes = {k: v for k, v in (routes or {}).items() if v}
        self.retry_seconds = retry_seconds
        self.sweep_seconds = sweep_seconds
        self.tell = tell
        self.replica = secrets.token_hex(8)
        self.card_failures = 0
        self.news_failures = 0
        self.cards_waiting: set[int] = set()
        self.card_locks: dict[int, asyncio.Lock] = {}
        self._sweeper: asyncio.Task[None] | None = None

    @property
    def channels(self) -> frozenset[str]:
        """Every owners' channel: where owners may act on tickets."""
        return frozenset({self.channel, *self.routes.values()} - {""})

    def channel_for(self, ticket: Ticket) -> str:
        return self.routes.get(ticket.topic or "") or self.routes.get(ticket.lang) or self.channel

    def start(self) -> None:
        if self.channels or self.tell is not None:
            name = f"{self.platform}-ticket-sweep"
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep(), name=name)

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper

    async def catch_up(self, number: int) -> None:
        """Everything one ticket is owed on this platform: its card, and the asker's news."""
        await self.show(number)
        await self.tell_news(number)

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(self.sweep_seconds)
            try:
                due = await asyncio.to_thread(self.desk.due, self.platform)
            except Exception:  # noqa: BLE001 - the sweep's one boundary: look again next time
                log.exception("the %s tickets behind could not be listed", self.platform)
                continue
            for ticket in due:
                if self._owes_card(ticket) and ticket.number not in self.card_locks:
                    self.tasks.spawn(self.show(ticket.number), f"{self.platform}-ticket")
                if self.tell is not None and is_asker_behind(ticket, self.platform):
                    self.tasks.spawn(self.tell_news(ticket.number), f"{self.platform}-news")

    def _owes_card(self, ticket: Ticket) -> bool:
        if not self.channel_for(ticket):
            return False
        return is_card_behind(ticket, self.platform) or "ts" not in (ticket.cards.get(self.platform) or {})

    async def tell_news(self, number: int) -> None:
        """Tell the asker, in order, of the changes nobody told them of yet; what cannot be sent
        is given back for the next sweep."""
        if self.tell is None:
            return
        claimed = await asyncio.to_thread(self.desk.claim_news, number, self.platform)
        if claimed is None:
            return
        ticket, start = claimed
        for place, event in news_since(ticket, start):
            if not await self.tell(ticket, event):
                self.news_failures += 1
                await asyncio.to_thread(self.desk.give_back_news, number, place, len(ticket.history))
                return

    async def show(self, number: int) -> None:
        """Post the ticket's card, or update it where it is; retried with backoff while the
        owners' channel cannot be reached and the ticket is unfinished."""
        if not self.channels:
            return
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
            if await self._card_try(ticket, wait):
                self.cards_waiting.discard(number)
                return
            self.card_failures += 1
            if ticket.status == "closed":
                self.cards_waiting.discard(number)
                return
            self.cards_waiting.add(number)
            await asyncio.sleep(wait)
            wait = min(wait * 2, MAX_RETRY_SECONDS)

    async def _card_try(self, ticket: Ticket, wait: float) -> bool:
        """One try at the card: True when done (or not this replica's to do), False on failure."""
        where = ticket.cards.get(self.platform) or {}
        shown = len(ticket.history)
        if "ts" in where:
            if not is_card_behind(ticket, self.platform):
                return True
            if not await self.poster.update(where, ticket):
                return False
            await asyncio.to_thread(self.desk.mark_seen, ticket.number, self.platform, shown)
            return True
        channel = self.channel_for(ticket)
        if ticket.status == "closed" or not channel:
            return True
        # Only the replica holding the claim posts the card, so it is posted once.
        until = datetime.now(UTC) + timedelta(seconds=wait + CLAIM_SECONDS)
        claimed = await asyncio.to_thread(
            self.desk.claim_card, ticket.number, self.platform, self.replica, until
        )
        if claimed is None:
            return True
        posted = await self.poster.post(channel, ticket)
        if posted is None:
            return False
        await asyncio.to_thread(
            self.desk.set_card, ticket.number, self.platform, posted | {"seen": str(shown)}
        )
        return True
