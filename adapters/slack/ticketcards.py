"""The tickets' cards in the Slack owners' channel: posted, and updated in place (``chat.update``);
when, by which replica, and how often tried is :mod:`adapters.ticketsweep`'s."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.tickets.records import Ticket

from .ticketblocks import owner_card

__all__ = ["OwnerCards"]

log = logging.getLogger(__name__)


class OwnerCards:
    platform = "slack"

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def post(self, channel: str, ticket: Ticket) -> dict[str, str] | None:
        text, blocks = owner_card(ticket)
        try:
            response = await self.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        except (SlackApiError, SlackClientError, TimeoutError, OSError) as exc:
            log.warning("the owners' channel could not be reached (%s)", type(exc).__name__)
            return None
        ts = response.get("ts")
        return {"channel": channel, "ts": str(ts)} if ts else None

    async def update(self, where: Mapping[str, str], ticket: Ticket) -> bool:
        text, blocks = owner_card(ticket)
        return await self._call(
            "chat.update", channel=where["channel"], ts=where["ts"], text=text, blocks=blocks
        )

    async def _call(self, method: str, **arguments: Any) -> bool:
        try:
            await self.client.api_call(method, json=arguments)
            return True
        except (SlackApiError, SlackClientError, TimeoutError, OSError) as exc:
            log.warning("Slack %s failed (%s)", method, type(exc).__name__)
            return False
