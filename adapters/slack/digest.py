"""The weekly digest in the Slack owners' channel, as Block Kit; when it is due and which
replica sends it is :class:`adapters.digest.DigestLoop`'s."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.tickets.digest import Digest, waited

from .blocks import escape

__all__ = ["SlackDigest", "digest_blocks"]

log = logging.getLogger(__name__)


def digest_blocks(digest: Digest, public_url: str) -> tuple[str, list[dict[str, Any]]]:
    outcomes = digest.outcomes
    head = f"Advisor weekly digest · {digest.week}"
    figures = (
        f"*{digest.questions}* questions · answered {outcomes.get('answered', 0)} · declined "
        f"{outcomes.get('declined', 0)} · asked back {outcomes.get('clarify', 0)} · not helpful "
        f"{digest.not_helpful}"
    )
    oldest = digest.oldest_open()
    urgent = digest.urgent()
    tickets = f"*{len(digest.open_tickets)}* open tickets" + (f" ({urgent} urgent)" if urgent else "")
    if oldest is not None:
        tickets += f", the oldest waiting {waited(oldest)}"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": head}},
        {"type": "section", "text": {"type": "mrkdwn", "text": figures}},
        {"type": "section", "text": {"type": "mrkdwn", "text": tickets}},
    ]
    link = digest.admin_url(public_url)
    for index, group in enumerate(digest.clusters):
        line = (
            f"{group.count} × “{escape(group.examples[0][:200])}” (nearest: {group.nearest_topic or 'none'})"
        )
        block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": line}}
        if link:
            block["accessory"] = {
                "type": "button",
                "text": {"type": "plain_text", "text": "Open in /admin"},
                "url": link,
                "action_id": f"advisor:digest-open:{index}",
            }
        blocks.append(block)
    return f"{head}: {digest.questions} questions, {len(digest.open_tickets)} open tickets", blocks


class SlackDigest:
    """Posts the digest in ``channel``."""

    def __init__(self, client: AsyncWebClient, channel: str, public_url: str = "") -> None:
        self.client = client
        self.channel = channel
        self.public_url = public_url

    async def post(self, digest: Digest) -> bool:
        text, blocks = digest_blocks(digest, self.public_url)
        try:
            await self.client.chat_postMessage(channel=self.channel, text=text, blocks=blocks)
        except (SlackApiError, SlackClientError, TimeoutError, OSError) as exc:
            log.warning("the weekly digest could not be posted in Slack (%s)", type(exc).__name__)
            return False
        return True
