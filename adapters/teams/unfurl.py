"""The nudge in Teams, through link unfurling: while someone writes a message holding a group
invite or an app link, Teams asks the advisor's message extension about the link
(``composeExtension/queryLink``) and shows the answer, a card on what to weigh, in that
person's compose box. Turned on for the tenant by ``ADVISOR_TEAMS_NUDGE``; one card per person,
kind of link and day (shared with Slack's count); the link itself is never kept."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from botbuilder.schema import Activity
from sqlalchemy.exc import SQLAlchemyError

from bot.nudge import LinkScanner
from bot.nudge.guidance import nudge_for
from bot.service import Service

from .cards import nudge_card

__all__ = ["QUERY_LINK", "LinkCards"]

log = logging.getLogger(__name__)

QUERY_LINK = "composeExtension/queryLink"
MAX_URL = 4096
NOTHING: dict[str, Any] = {
    "composeExtension": {"type": "result", "attachmentLayout": "list", "attachments": []}
}


class LinkCards:
    def __init__(
        self, service: Service, enabled: bool, now: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.service = service
        self.enabled = enabled
        self.now = now
        self.scanner = LinkScanner(service.advisor.knowledge.policy.links)

    async def query_link(self, activity: Activity) -> dict[str, Any]:
        """The invoke's response: a card for a link the policy names, else no card."""
        value = activity.value if isinstance(activity.value, dict) else {}
        url = value.get("url")
        if not self.enabled or not isinstance(url, str) or len(url) > MAX_URL:
            return NOTHING
        hits = self.scanner.scan(url)
        user = activity.from_property
        person = self.service.pseudonyms("user", (user.aad_object_id or user.id) if user else None)
        if not hits or person is None:
            return NOTHING
        hit = hits[0]
        try:
            fresh = await asyncio.to_thread(
                self.service.nudges.take, person, hit.kind, hit.subject, self.now()
            )
        except SQLAlchemyError as exc:
            log.warning("nudge store unavailable (%s): no card", type(exc).__name__)
            return NOTHING
        if not fresh:
            return NOTHING
        lang = "he" if (activity.locale or "").lower().startswith("he") else "en"
        nudge = nudge_for(self.service.advisor, hit, lang)
        card = nudge_card(nudge.intro, nudge.answer)
        preview = {
            "contentType": "application/vnd.microsoft.card.thumbnail",
            "content": {"title": nudge.answer.verdict_label or "", "text": nudge.intro},
        }
        attachment = {
            "contentType": "application/vnd.microsoft.card.adaptive",
            "content": card,
            "preview": preview,
        }
        return {
            "composeExtension": {"type": "result", "attachmentLayout": "list", "attachments": [attachment]}
        }
