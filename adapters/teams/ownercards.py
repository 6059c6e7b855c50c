"""Messages the advisor starts in Teams, and the tickets' cards in the owners' channel.

:class:`Outbound` sends and updates activities in a conversation through the Bot Connector
(the service URL Teams gave, ``ADVISOR_TEAMS_SERVICE_URL``), with the adapter's kept clients.
:class:`OwnerCards` posts each ticket's card and updates it in place (the connector's
update-activity call); when, by which replica, and how often tried is
:mod:`adapters.ticketsweep`'s.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from botbuilder.core import CardFactory, MessageFactory
from botbuilder.schema import Activity, ConversationAccount
from botframework.connector.auth import AuthenticationConstants, ClaimsIdentity
from msrest.exceptions import ClientRequestError, HttpOperationError

from bot.tickets.records import Ticket

from .auth import AdvisorAuthentication
from .ticketcards import owner_card

__all__ = ["Outbound", "OwnerCards", "card_activity"]

log = logging.getLogger(__name__)

PLATFORM = "teams"


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
    platform = PLATFORM

    def __init__(self, outbound: Outbound) -> None:
        self.outbound = outbound

    async def post(self, channel: str, ticket: Ticket) -> dict[str, str] | None:
        posted = await self.outbound.send(channel, card_activity(owner_card(ticket)))
        return None if posted is None else {"conversation": channel, "ts": posted}

    async def update(self, where: Mapping[str, str], ticket: Ticket) -> bool:
        return await self.outbound.update(
            where["conversation"], where["ts"], card_activity(owner_card(ticket))
        )
