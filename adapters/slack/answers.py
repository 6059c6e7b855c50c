"""Answering Slack: a question, a slash command or a click becomes a query, its answer Block
Kit, sent where it was asked (:mod:`.delivery` paces and retries)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from bot import Advisor, Answer, Query
from bot.answer import Outcome
from bot.text import detect_lang
from bot.tickets.phrases import TicketPhrases

from ..channel import FEEDBACK, ask, button_query, labels, record_feedback
from ..commands import command_query
from ..tasks import Tasks
from .agent import Agent, native_feedback
from .blocks import ACTION, checklist_blocks, home_view, summary_blocks, to_blocks, to_fallback
from .delivery import Delivery
from .events import action_lang, action_value, conversation_id, ticked, to_query_text
from .ticketblocks import ask_button

__all__ = ["Answers"]

LABELS = ("helpful", "not_helpful", "none_of_these", "checklist", "done", "thanks_feedback", "apology")


class Answers:
    """``claims(delivery)`` says whether this replica answers a slash command (a replay
    another replica took is not answered twice)."""

    def __init__(
        self,
        advisor: Advisor,
        delivery: Delivery,
        tasks: Tasks,
        claims: Callable[[str], Awaitable[bool]],
        agent: Agent | None = None,
        phrases: TicketPhrases | None = None,
    ) -> None:
        """``agent``: direct messages are answered as Slack's agent view. ``phrases``: offer
        "Ask the policy owner" under declines, and after "Not helpful" or "None of these" under
        an ask-back."""
        self.phrases = phrases
        self.advisor = advisor
        self.delivery = delivery
        self.tasks = tasks
        self.claims = claims
        self.agent = agent

    async def _ask(self, query: Query) -> Answer | None:
        async with self.tasks.slot:
            return await ask(self.advisor, query)

    def _labels(self, lang: str) -> dict[str, str]:
        return labels(self.advisor, lang, LABELS)

    def _render(
        self, answer: Answer | None, lang: str, quote: str | None = None
    ) -> tuple[str, list[dict[str, Any]]]:
        if answer is None:
            apology = self._labels(lang)["apology"]
            return apology, [{"type": "section", "text": {"type": "plain_text", "text": apology}}]
        labels = self._labels(answer.lang)
        if answer.steps:
            return to_fallback(answer), checklist_blocks(answer, answer.steps, labels["done"])
        if answer.missed or answer.done:
            return to_fallback(answer), summary_blocks(answer)
        blocks = to_blocks(answer, labels, quote)
        if self.phrases and answer.outcome is Outcome.DECLINED and answer.question.strip():
            blocks.append(ask_button(self.phrases, answer.lang, answer.question, answer.id, answer.topic))
        elif self.phrases and answer.outcome is Outcome.ANSWERED and answer.topic in self.phrases.incidents:
            blocks.append(
                ask_button(self.phrases, answer.lang, answer.question, answer.id, answer.topic, urgent=True)
            )
        return to_fallback(answer), blocks

    async def message(self, event: dict[str, Any], team: str, delivery: str) -> None:
        channel, ts = event.get("channel", ""), event.get("ts", "")
        text = to_query_text(event.get("text") or "")
        lang = detect_lang(text)
        direct = event.get("channel_type") == "im"
        thread = None if direct else (event.get("thread_ts") or ts)
        # In the agent view every thread of the Messages tab is a conversation of its own.
        in_agent_view = direct and self.agent is not None
        if direct and self.agent is not None:
            thread = await self.agent.begin(event, text, lang)
        query = Query(
            text,
            channel="slack",
            user_id=event.get("user"),
            workspace_id=team,
            conversation_id=conversation_id(channel, thread, direct and not in_agent_view),
            delivery_id=delivery,
        )
        answer = await self._ask(query)
        fallback, blocks = self._render(answer, lang)
        if direct and self.agent is not None:
            blocks = native_feedback(blocks, answer, self._labels(answer.lang if answer else lang))
        await self.delivery.post(channel, fallback, blocks, thread_ts=thread)

    async def command(self, command: dict[str, Any]) -> None:
        delivery = f"slack-command:{command.get('trigger_id')}"
        if command.get("trigger_id") and not await self.claims(delivery):
            return  # a replay another replica took
        text = to_query_text(command.get("text") or "")
        common: dict[str, Any] = {
            "channel": "slack",
            "user_id": command.get("user_id"),
            "workspace_id": command.get("team_id"),
            "conversation_id": command.get("channel_id"),
            "delivery_id": delivery,
        }
        query = command_query(text, **common)
        answer = await self._ask(query)
        quote = text if query.topic is None and query.checklist is None else None
        fallback, blocks = self._render(answer, detect_lang(text), quote=quote)
        target = (command.get("channel_id", ""), command.get("user_id", ""))
        await self.delivery.respond(command.get("response_url", ""), fallback, blocks, fallback=target)

    async def action(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        kind = str(action.get("action_id", ""))[len(ACTION) :]
        value = action_value(action)
        user = (body.get("user") or {}).get("id")
        if kind.startswith("tick:"):
            return  # Slack keeps the ticks in the message until "Done" is pressed
        if kind == "feedback":
            # Slack's own thumbs up and down: it shows which was pressed, so no thanks is sent.
            if value.get("f") in ("helpful", "not_helpful") and value.get("q"):
                await record_feedback(self.advisor, str(value["f"]), str(value["q"]), "slack", user)
            return
        if kind in FEEDBACK:
            await record_feedback(self.advisor, kind, str(value.get("q", "")), "slack", user)
            lang = detect_lang(json.dumps(body.get("message", {}).get("text", ""), ensure_ascii=False))
            thanks = self._labels(lang)["thanks_feedback"]
            blocks = [{"type": "section", "text": {"type": "plain_text", "text": thanks}}]
            if self.phrases and kind in ("not_helpful", "none"):
                blocks.append(ask_button(self.phrases, lang, "", str(value.get("q", "")), None))
            await self._reply(body, thanks, blocks)
            return
        container = body.get("container") or {}
        where = (body.get("channel") or {}).get("id") or container.get("channel_id")
        thread = (body.get("message") or {}).get("thread_ts") or container.get("message_ts")
        # Slack's direct-message channel ids start with D; in the agent view each of their
        # threads is a conversation of its own, as for typed messages.
        whole_dm = where.startswith("D") and self.agent is None if where else False
        common: dict[str, Any] = {
            "channel": "slack",
            "user_id": user,
            "lang": action_lang(value),
            "workspace_id": (body.get("team") or {}).get("id"),
            "conversation_id": conversation_id(where, thread, whole_dm) if where else None,
        }
        # Buttons are named "topic:ID" and "checklist:ID" (Slack wants action ids unique in a
        # message), and "done".
        button = kind.partition(":")[0] if kind.startswith(("topic:", "checklist:")) else kind
        query = button_query(button, value, ticked(body), **common)
        if query is None:
            return
        answer = await self._ask(query)
        fallback, blocks = self._render(answer, common["lang"] or "en")
        await self._reply(body, fallback, blocks, replace=kind == "done")

    async def _reply(
        self, body: dict[str, Any], text: str, blocks: list[dict[str, Any]], replace: bool = False
    ) -> None:
        """Answer a click where it happened: in the message's thread, or through the
        response_url for ephemeral messages (and to replace a finished checklist)."""
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        user = (body.get("user") or {}).get("id", "")
        container = body.get("container") or {}
        response_url = body.get("response_url")
        if response_url and (replace or container.get("is_ephemeral") or not channel):
            await self.delivery.respond(
                response_url, text, blocks, replace=replace, fallback=(channel, user) if channel else None
            )
            return
        if channel:
            message = body.get("message") or {}
            thread = message.get("thread_ts") or container.get("message_ts")
            await self.delivery.post(channel, text, blocks, thread_ts=thread)

    async def home(self, user: str) -> None:
        about = await ask(self.advisor, Query("", topic="help", lang="en", user_id=user))
        lists = await ask(self.advisor, Query("", checklist="", lang="en"))
        if about is None or lists is None:
            return  # logged by ask(); the Home tab keeps what it showed
        await self.delivery.publish_home(user, home_view(about, lists, lists.text))
