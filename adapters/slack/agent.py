"""Slack's agent view (the app's Messages tab): suggested prompts in the person's language, a
status while the answer is worked on, a title for each conversation, and Slack's own thumbs
up and down under answers, recorded as the advisor's feedback.

Each conversation there is a thread: a question at the top starts one (and names it), the
answer goes into it. Workspaces without the agent view get plain direct-message answers
(``ADVISOR_SLACK_AGENT_VIEW=false``).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bot import Answer
from bot.prompts import Prompt, suggested_prompts
from bot.service import Service

from .blocks import ACTION, escape
from .delivery import Delivery
from .people import People

__all__ = ["FEEDBACK_ACTION", "Agent"]

FEEDBACK_ACTION = ACTION + "feedback"
PROMPT_DAYS = 30
PROMPT_SECONDS = 600.0
MAX_TITLE = 100


class Agent:
    def __init__(
        self,
        service: Service,
        delivery: Delivery,
        people: People,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.service = service
        self.delivery = delivery
        self.people = people
        self.clock = clock
        self._prompts: dict[str, tuple[float, list[Prompt]]] = {}

    async def prompts(self, lang: str) -> list[Prompt]:
        """The questions most asked in the last month in ``lang``, counted again every ten
        minutes at most; the shipped ones when the log cannot be read."""
        kept = self._prompts.get(lang)
        if kept and self.clock() - kept[0] < PROMPT_SECONDS:
            return kept[1]
        until = datetime.now(UTC)
        try:
            tallies = await asyncio.to_thread(
                self.service.store.tally, until - timedelta(days=PROMPT_DAYS), until
            )
        except Exception:  # noqa: BLE001 - the log's database may be away: offer the shipped ones
            tallies = []
        found = suggested_prompts(self.service.advisor.knowledge, tallies, lang)
        self._prompts[lang] = (self.clock(), found)
        return found

    async def opened(self, channel: str, user: str, thread_ts: str | None = None) -> None:
        """The Messages tab opened, or a new conversation started there: offer prompts."""
        if not channel or not user:
            return
        lang = await self.people.lang(user)
        found = await self.prompts(lang)
        title = self.service.advisor.knowledge.phrases.agent.prompts_title.get(lang)
        await self.delivery.call(
            "assistant.threads.setSuggestedPrompts",
            channel_id=channel,
            thread_ts=thread_ts,
            title=escape(title),
            prompts=[{"title": escape(p.title), "message": escape(p.message)} for p in found],
        )

    async def begin(self, event: dict[str, Any], question: str, lang: str) -> str:
        """Before answering a direct message: the thread the answer goes to, its status set, and
        its title when the question starts the conversation."""
        ts = str(event.get("ts") or "")
        thread = str(event.get("thread_ts") or ts)
        channel = str(event.get("channel") or "")
        status = self.service.advisor.knowledge.phrases.agent.status.get(lang)
        await self.delivery.call(
            "assistant.threads.setStatus", channel_id=channel, thread_ts=thread, status=status
        )
        if not event.get("thread_ts") and question:
            title = question if len(question) <= MAX_TITLE else question[: MAX_TITLE - 1] + "…"
            await self.delivery.call(
                "assistant.threads.setTitle", channel_id=channel, thread_ts=thread, title=escape(title)
            )
        return thread


def _thumb(label: str, question: str, kind: str) -> dict[str, Any]:
    return {
        "text": {"type": "plain_text", "text": escape(label)},
        "accessibility_label": escape(label),
        "value": json.dumps({"q": question, "f": kind}, separators=(",", ":")),
    }


def native_feedback(
    blocks: list[dict[str, Any]], answer: Answer | None, labels: dict[str, str]
) -> list[dict[str, Any]]:
    """The answer's helpful and not-helpful buttons as Slack's own thumbs up and down."""
    if answer is None:
        return blocks
    thumbs = {
        "type": "context_actions",
        "block_id": "feedback",
        "elements": [
            {
                "type": "feedback_buttons",
                "action_id": FEEDBACK_ACTION,
                "positive_button": _thumb(labels["helpful"], answer.id, "helpful"),
                "negative_button": _thumb(labels["not_helpful"], answer.id, "not_helpful"),
            }
        ],
    }
    return [thumbs if block.get("block_id") == "feedback" else block for block in blocks]
