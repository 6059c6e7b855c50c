"""What the advisor asks Slack about people and channels: a person's language (their Slack
locale), and whether they may change a channel's settings (a workspace admin or owner, or the
channel's creator). Answers are kept a while; a lookup that fails gives the cautious answer."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

__all__ = ["People"]

log = logging.getLogger(__name__)

KEEP_SECONDS = 600.0
MAX_KEPT = 10_000


class People:
    def __init__(self, client: AsyncWebClient, clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.clock = clock
        self._users: dict[str, tuple[float, dict[str, Any]]] = {}

    async def _lookup(self, method: str, **arguments: Any) -> dict[str, Any]:
        try:
            response = await self.client.api_call(method, data=arguments)
        except (SlackApiError, SlackClientError, TimeoutError, OSError) as exc:
            log.warning("Slack %s failed (%s)", method, type(exc).__name__)
            return {}
        data = response.data
        return data if isinstance(data, dict) else {}

    async def user(self, user: str) -> dict[str, Any]:
        kept = self._users.get(user)
        if kept and self.clock() - kept[0] < KEEP_SECONDS:
            return kept[1]
        found = (await self._lookup("users.info", user=user, include_locale="true")).get("user")
        info = found if isinstance(found, dict) else {}
        if len(self._users) >= MAX_KEPT:
            self._users.clear()
        self._users[user] = (self.clock(), info)
        return info

    async def lang(self, user: str) -> str:
        """``he`` for a Hebrew Slack locale, otherwise ``en``."""
        return await self.locale_lang(user) or "en"

    async def locale_lang(self, user: str) -> str | None:
        """``he`` for a Hebrew Slack locale, ``en`` for any other, None when Slack did not say."""
        locale = (await self.user(user)).get("locale")
        if not isinstance(locale, str) or not locale:
            return None
        return "he" if locale.lower().startswith(("he", "iw")) else "en"

    async def may_manage(self, user: str, channel: str) -> bool:
        """A workspace admin or owner, or whoever created the channel. Slack's Web API does not
        list a channel's managers; its creator is the manager it names."""
        info = await self.user(user)
        if info.get("is_admin") is True or info.get("is_owner") is True:
            return True
        found = (await self._lookup("conversations.info", channel=channel)).get("channel")
        return isinstance(found, dict) and bool(user) and found.get("creator") == user
