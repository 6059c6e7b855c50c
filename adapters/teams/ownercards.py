"""Messages the advisor starts in Teams, and the tickets' cards in the owners' channel.

:class:`Outbound` sends and updates activities in a conversation through the Bot Connector
(the service URL Teams gave, ``ADVISOR_TEAMS_SERVICE_URL``), with the adapter's kept clients.
:class:`OwnerCards` posts each ticket's card once and updates it in place, as Slack's do
(:mod:`adapters.slack.ticketcards`): a replica posts only while it holds the ticket's claim on
it, an owners' channel that cannot be reached is tried again with backoff while the ticket is
unfinished (failures and cards waiting counted for ``/metrics``), and every ``sweep_seconds``
each replica posts the cards nobody is posting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from botbuilder.core import CardFactory, MessageFactory
from botbuilder.schema import Activity, ConversationAccount
from botframework.connector.auth import AuthenticationConstants, ClaimsIdentity
from msrest.exceptions import ClientRequestError, HttpOperationError

from bot.tickets.desk import Desk
from bot.tickets.records import Ticket

from ..tasks import Tasks
from .auth import AdvisorAuthentication
from .ticketcards import owner_card

__all__ = ["Outbound", "OwnerCards", "card_activity"]

log = logging.getLogger(__name__)

PLATFORM = "teams"
MAX_RETRY_SECONDS = 300.0
CLAIM_SECONDS = 60.0


def card_activity(card: dict[str, Any]) -> Activity:
    return MessageFactory.attachment(CardFactory.adaptive_card(card))


class Outbound:
    def __init__(self, auth: AdvisorAuthentication, app_id: str, service_url: str) -> None:
        self.auth = auth
        self.app_id = app_id
        self.service_url = service_url

    async def _conversations(self) -> Any:
        identity = ClaimsIdentity(
            {
                AuthenticationConstants.AUDIENCE_CLAIM: self.app_id,
                AuthenticationConstants.APP_ID_CLAIM: self.app_id,
            },
            True,
        )
        factory = self.auth.create_connector_factory(identity)
        client = await factory.create(
            self.service_url, AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
        )
        return client.conversations

    def _addressed(self, conversation: str, activity: Activity) -> Activity:
        activity.conversation = ConversationAccount(id=conversation)
        activity.service_url = self.service_url
        activity.channel_id = "msteams"
        return activity

    async def send(self, conversation: str, activity: Activity) -> str | None:
        """The new activity's id; None when the conversation could not be reached."""
        try:
            conversations = await self._conversations()
            sent = await conversations.send_to_conversation(
                conversation, self._addressed(conversation, activity)
            )
        except (ClientRequestError, HttpOperationError, OSError, TimeoutError) as exc:
            log.warning("Teams conversation could not be reached (%s)", type(exc).__name__)
            return None
        return str(sent.id) if sent is not None and sent.id else None

    async def update(self, conversation: str, activity_id: str, activity: Activity) -> bool:
        activity.id = activity_id
        try:
            conversations = await self._conversations()
            await conversations.update_activity(
                conversation, activity_id, self._addressed(conversation, activity)
            )
        except (ClientRequestError, HttpOperationError, OSError, TimeoutError) as exc:
            log.warning("Teams card could not be updated (%s)", type(exc).__name__)
            return False
        return True


class OwnerCards:
    def __init__(
        self,
        desk: Desk,
        outbound: Outbound,
        tasks: Tasks,
        channel: str,
        retry_seconds: float,
        sweep_seconds: float,
        routes: Mapping[str, str] | None = None,
    ) -> None:
        """``routes``: other owners' channels by topic or language; a ticket's topic decides
        before its language."""
        self.desk = desk
        self.outbound = outbound
        self.tasks = tasks
        self.channel = channel
        self.routes = {k: v for k, v in (routes or {}).items() if v}
        self.retry_seconds = retry_seconds
        self.sweep_seconds = sweep_seconds
        self.replica = secrets.token_hex(8)
        self.card_failures = 0
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
        if self.channels:
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep(), name="teams-ticket-sweep")

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(self.sweep_seconds)
            try:
                missing = await asyncio.to_thread(self._missing)
            except Exception:  # noqa: BLE001 - the sweep's one boundary: look again next time
                log.exception("tickets without a Teams card could not be listed")
                continue
            for number in missing:
                if number not in self.card_locks:
                    self.tasks.spawn(self.show(number), "teams-ticket")

    def _missing(self) -> list[int]:
        return [t.number for t in self.desk.without_card(PLATFORM) if self.channel_for(t)]

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
            card = card_activity(owner_card(ticket))
            where = ticket.cards.get(PLATFORM) or {}
            if "ts" in where:
                if await self.outbound.update(where["conversation"], where["ts"], card):
                    self.cards_waiting.discard(number)
                    return
            else:
                channel = self.channel_for(ticket)
                if ticket.status == "closed" or not channel:
                    self.cards_waiting.discard(number)
                    return
                # Only the replica holding the claim posts the card, so it is posted once.
                until = datetime.now(UTC) + timedelta(seconds=wait + CLAIM_SECONDS)
                claimed = await asyncio.to_thread(self.desk.claim_card, number, PLATFORM, self.replica, until)
                if claimed is None:
                    return
                posted = await self.outbound.send(channel, card)
                if posted is not None:
                    self.cards_waiting.discard(number)
                    await asyncio.to_thread(
                        self.desk.set_card, number, PLATFORM, {"conversation": channel, "ts": posted}
                    )
                    return
            self.card_failures += 1
            if ticket.status == "closed":
                self.cards_waiting.discard(number)
                return
            self.cards_waiting.add(number)
            await asyncio.sleep(wait)
            wait = min(wait * 2, MAX_RETRY_SECONDS)
