"""The nudge in Slack: a message in a channel that opted in holds a group invite or an app
link, and the person who posted it, and only they, gets an ephemeral note on what to weigh.

Turned on for the workspace by ``ADVISOR_SLACK_NUDGE`` and for a channel by ``/advisor nudge
on`` (its managers: see :meth:`People.may_manage`). One note per person, kind of link and day,
whichever replica sees the message first; the link is never kept, only its kind and network.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.nudge import LinkScanner
from bot.nudge.guidance import nudge_for, nudge_phrase
from bot.service import Service

from .blocks import escape, note_blocks, nudge_blocks
from .delivery import Delivery
from .people import People

__all__ = ["SlackNudge", "is_nudge_command"]

log = logging.getLogger(__name__)

CHANNEL_TYPES = ("channel", "group")


def is_nudge_command(text: str) -> bool:
    words = text.split(maxsplit=1)
    return bool(words) and words[0].lower() == "nudge"


class SlackNudge:
    def __init__(
        self,
        service: Service,
        delivery: Delivery,
        people: People,
        enabled: bool,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.service = service
        self.delivery = delivery
        self.people = people
        self.enabled = enabled
        self.now = now
        self.scanner = LinkScanner(service.advisor.knowledge.policy.links)

    def wanted(self, event: dict[str, Any]) -> bool:
        """A person's new message in a channel, with a link in it."""
        return (
            self.enabled
            and event.get("channel_type") in CHANNEL_TYPES
            and not event.get("subtype")
            and not event.get("bot_id")
            and bool(event.get("user"))
            and isinstance(event.get("text"), str)
            and "http" in event["text"]
        )

    async def _store(self, work: Callable[..., Any], *args: Any) -> Any:
        try:
            return await asyncio.to_thread(work, *args)
        except SQLAlchemyError as exc:
            log.warning("nudge store unavailable (%s): no nudge", type(exc).__name__)
            return None

    async def consider(self, event: dict[str, Any], team: str) -> None:
        hits = self.scanner.scan(event["text"])
        if not hits:
            return
        user, channel = str(event["user"]), str(event.get("channel") or "")
        pseudonym = self.service.pseudonyms
        workspace, conversation = pseudonym("workspace", team) or "", pseudonym("conversation", channel) or ""
        if not await self._store(self.service.nudges.is_on, workspace, conversation):
            return
        person = pseudonym("user", user) or ""
        lang = await self.people.lang(user)
        for hit in hits:
            if not await self._store(self.service.nudges.take, person, hit.kind, hit.subject, self.now()):
                continue
            nudge = nudge_for(self.service.advisor, hit, lang)
            await self.delivery.ephemeral(
                channel,
                user,
                escape(nudge.intro),
                nudge_blocks(nudge.intro, nudge.answer),
                event.get("thread_ts"),
            )

    async def command(self, command: dict[str, Any]) -> None:
        """``/advisor nudge on|off``, answered to the person who typed it only."""
        user, channel = str(command.get("user_id") or ""), str(command.get("channel_id") or "")
        words = str(command.get("text") or "").lower().split()
        lang = await self.people.lang(user) if user else "en"
        choice = words[1] if len(words) == 2 else ""
        if not self.enabled:
            said = "disabled"
        elif not channel or channel.startswith("D") or command.get("channel_name") == "directmessage":
            said = "not_here"
        elif choice not in ("on", "off"):
            said = "usage"
        elif not await self.people.may_manage(user, channel):
            said = "not_allowed"
        else:
            pseudonym = self.service.pseudonyms
            workspace = pseudonym("workspace", str(command.get("team_id") or "")) or ""
            turned = await self._store(
                self._turn, workspace, pseudonym("conversation", channel) or "", choice == "on"
            )
            said = ("turned_on" if choice == "on" else "turned_off") if turned else "unavailable"
        text = self.service.advisor.label("apology", lang) if said == "unavailable" else None
        text = text or nudge_phrase(self.service.advisor, said, lang)
        await self.delivery.respond(
            str(command.get("response_url") or ""), escape(text), note_blocks(text), fallback=(channel, user)
        )

    def _turn(self, workspace: str, conversation: str, on: bool) -> bool:
        self.service.nudges.turn(workspace, conversation, on, self.now())
        return True
