"""Asking the policy owner in Slack.

The asker: "Ask the policy owner" (under a decline, an ask-back or after "Not helpful") and
``/advisor ask-owner QUESTION`` open a modal showing what the owner will see; sending it opens
one ticket (the modal carries a random key, so a doubled submission finds the same ticket).
They are told its number, then every change and the answer, where they asked: the thread of
the answer they clicked under, or their DM. ``/advisor my-questions`` lists theirs.

The owner: a card in the owners' channel (``ADVISOR_SLACK_OWNER_CHANNEL``) with Assign to me,
Answer (a modal, which can also teach the advisor: docs/tickets.md), Close and Reopen, updated
in place on every change, whoever made it (Slack, the dashboard, Teams, the command line, another
replica); :mod:`.ticketcards` posts them, once, retries, and sweeps for what is behind.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.learned.teach import Teacher
from bot.text import detect_lang
from bot.tickets.desk import Desk, ticket_key
from bot.tickets.phrases import TicketPhrases
from bot.tickets.records import Contact, Event, Ticket

from ..tasks import Tasks
from ..ticketsweep import TicketSweep
from .delivery import Delivery
from .people import People
from .ticketblocks import answer_modal, confirm_modal, mine_blocks, notice_blocks
from .ticketcards import OwnerCards

__all__ = ["SlackTickets"]

log = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 2.0
# A modal's submission is answered within Slack's 3 seconds: the owner's locale is waited for
# this long at most.
LOCALE_SECONDS = 1.0
OWNER_ACTIONS = {"ticket-assign": "assign", "ticket-close": "close", "ticket-reopen": "reopen"}


def _field(view: dict[str, Any], block: str) -> Any:
    value = ((view.get("state") or {}).get("values") or {}).get(block, {}).get("value", {})
    if not isinstance(value, dict):
        return None
    return value.get("value") if "value" in value else (value.get("selected_option") or {}).get("value")


def _meta(view: dict[str, Any]) -> dict[str, Any]:
    """What the advisor put in a modal's ``private_metadata`` (anything else: nothing)."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except (TypeError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


class SlackTickets:
    def __init__(
        self,
        desk: Desk,
        phrases: TicketPhrases,
        client: AsyncWebClient,
        delivery: Delivery,
        tasks: Tasks,
        owner_channel: str,
        retry_seconds: float = FIRST_RETRY_SECONDS,
        sweep_seconds: float = 10.0,
        routes: dict[str, str] | None = None,
        teacher: Teacher | None = None,
        people: People | None = None,
    ) -> None:
        self.desk = desk
        self.teacher = teacher
        self.people = people
        self.phrases = phrases
        self.client = client
        self.delivery = delivery
        self.tasks = tasks
        self.owner_channel = owner_channel
        self.cards = TicketSweep(
            desk, OwnerCards(client), tasks, owner_channel, retry_seconds, sweep_seconds, routes, self._news
        )
        self.loop: asyncio.AbstractEventLoop | None = None
        desk.listeners.append(self.changed)

    def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.cards.start()

    async def stop(self) -> None:
        await self.cards.stop()

    # -- the asker ----------------------------------------------------------------------------

    async def confirm(self, trigger: str, user: dict[str, Any], team: str, draft: dict[str, Any]) -> None:
        """Open the modal that shows what the owner will see; ``draft``: the question, its
        language and topic, the answer it came from, and where to reply."""
        lang = str(draft["l"]) if draft.get("l") in ("en", "he") else detect_lang(str(draft.get("q", "")))
        prepared = self.desk.prepare(
            key="preview", channel="slack", question=str(draft.get("q", "")), user_id=user.get("id")
        )
        name = str(user.get("name") or user.get("username") or user.get("id") or "")
        meta = draft | {"k": secrets.token_hex(16), "l": lang, "team": team, "name": name}
        meta.pop("q", None)
        view = confirm_modal(self.phrases, lang, name, prepared.question if prepared else "", meta)
        await self._call("views.open", trigger_id=trigger, view=view)

    async def submitted(self, user: dict[str, Any], view: dict[str, Any]) -> str | None:
        """The confirmation was sent: open the ticket (once per modal) and tell the asker.
        An error for the question field when it holds no words."""
        meta = _meta(view)
        lang = meta["l"] if meta.get("l") in ("en", "he") else "en"
        user_id = str(user.get("id") or "")
        draft = self.desk.prepare(
            key=ticket_key("slack", str(meta.get("team", "")), user_id, str(meta.get("k", ""))),
            channel="slack",
            question=str(_field(view, "question") or ""),
            note=_field(view, "note"),
            user_id=user_id,
            lang=lang,
            topic=meta.get("t"),
            urgent=bool(meta.get("u")),
            question_id=meta.get("i"),
            contact=Contact("slack", user_id, meta.get("c") or user_id, meta.get("th"), meta.get("name")),
        )
        if draft is None:
            return self.phrases.say("empty", lang)
        ticket, made = await asyncio.to_thread(self.desk.open, draft)
        if made:
            text = self.phrases.say("sent", lang, number=ticket.number)
            await self._tell_asker(
                ticket, text, [{"type": "section", "text": {"type": "plain_text", "text": text}}]
            )
        return None

    async def command(self, command: dict[str, Any], text: str) -> bool:
        """``ask-owner QUESTION`` and ``my-questions``; False for any other command."""
        word, _, rest = text.strip().partition(" ")
        user_id = str(command.get("user_id") or "")
        user = {"id": user_id, "name": command.get("user_name")}
        channel = str(command.get("channel_id") or "")
        url = str(command.get("response_url") or "")
        if word.lower() == "ask-owner":
            lang = detect_lang(rest)
            if not rest.strip():
                say = self.phrases.say("empty", lang)
                await self.delivery.respond(url, say, [], fallback=(channel, user_id))
                return True
            # From a channel, the news goes to the asker's DM; from a DM, there.
            where = {"c": channel} if channel.startswith("D") else {}
            await self.confirm(
                command.get("trigger_id", ""),
                user,
                command.get("team_id", ""),
                {"q": rest, "l": lang} | where,
            )
            return True
        if word.lower() == "my-questions":
            lang = detect_lang(rest) if rest.strip() else "en"
            mine = await asyncio.to_thread(self.desk.mine, user_id)
            say, blocks = mine_blocks(self.phrases, lang, list(mine))
            await self.delivery.respond(url, say, blocks, fallback=(channel, user_id))
            return True
        return False

    async def ask_clicked(self, body: dict[str, Any], value: dict[str, Any]) -> None:
        """ "Ask the policy owner" under an answer: news goes to that answer's thread."""
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        message = body.get("message") or {}
        thread = message.get("thread_ts") or (body.get("container") or {}).get("message_ts")
        where = {"c": channel, "th": None if str(channel).startswith("D") else thread} if channel else {}
        team = (body.get("team") or {}).get("id", "")
        await self.confirm(body.get("trigger_id", ""), body.get("user") or {}, team, value | where)

    # -- the owner ----------------------------------------------------------------------------

    async def owner_clicked(self, body: dict[str, Any], kind: str, value: dict[str, Any]) -> None:
        number = value.get("n")
        if not isinstance(number, int):
            return
        user = body.get("user") or {}
        if kind.startswith("ticket-rate"):
            await self._rated(body, number, str(value.get("r", "")))
            return
        who = str(user.get("name") or user.get("username") or user.get("id") or "owner")
        if kind == "ticket-answer":
            ticket = await asyncio.to_thread(self.desk.get, number)
            if ticket is not None:
                await self._call(
                    "views.open", trigger_id=body.get("trigger_id", ""), view=answer_modal(ticket)
                )
            return
        if kind in OWNER_ACTIONS:
            await asyncio.to_thread(self.desk.act, number, OWNER_ACTIONS[kind], who)

    async def _rated(self, body: dict[str, Any], number: int, rating: str) -> None:
        """The asker rated the owner's answer (only the asker may)."""
        user = str((body.get("user") or {}).get("id") or "")
        ticket = await asyncio.to_thread(self.desk.get, number)
        if ticket is None or ticket.contact is None or ticket.contact.user != user:
            return
        outcome = await asyncio.to_thread(self.desk.act, number, "rate", "asker", rating)
        if outcome is None or outcome.refused:
            return
        thanks = self.phrases.say("rated", ticket.lang)
        block = {"type": "section", "text": {"type": "plain_text", "text": thanks}}
        await self._tell_asker(ticket, thanks, [block])

    async def answered(self, user: dict[str, Any], view: dict[str, Any]) -> str | None:
        meta = _meta(view)
        text = str(_field(view, "answer") or "")
        if not text.strip():
            return "Write the answer first."
        who = str(user.get("name") or user.get("username") or user.get("id") or "owner")
        lang = _field(view, "lang")
        number = meta.get("n")
        if not isinstance(number, int):
            return None
        lang = lang if lang in ("en", "he") else None
        outcome = await asyncio.to_thread(self.desk.act, number, "answer", who, text, lang)
        if outcome is not None and outcome.refused == "closed":
            return "This ticket is closed: reopen it first."
        learn = _field(view, "learn")
        if outcome is None or outcome.refused or not isinstance(learn, str) or self.teacher is None:
            return None
        lesson = await asyncio.to_thread(self.teacher.from_ticket, outcome.ticket, learn, who)
        if lesson is None or not lesson.refused:
            return None
        lang = await self._owner_lang(str(user.get("id") or ""), text)
        return self.teacher.not_learned(lesson, number, lang)

    async def _owner_lang(self, user: str, typed: str) -> str:
        """The owner's Slack locale when Slack says it in time, else the language they typed in."""
        known = None
        if self.people is not None and user:
            try:
                known = await asyncio.wait_for(self.people.locale_lang(user), LOCALE_SECONDS)
            except TimeoutError:
                log.warning("the owner's Slack locale was not known in time")
        return known or detect_lang(typed)

    # -- changes: the owner's card and the asker's news ---------------------------------------

    def changed(self, ticket: Ticket, what: str) -> None:
        """A desk listener, called on whatever thread made the change."""
        if self.loop is None or self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.tasks.spawn, self.cards.catch_up(ticket.number), "slack-ticket")

    async def _news(self, ticket: Ticket, event: Event) -> bool:
        text, blocks = notice_blocks(self.phrases, ticket, event.action, event.by)
        return await self._tell_asker(ticket, text, blocks)

    async def _tell_asker(self, ticket: Ticket, text: str, blocks: list[dict[str, Any]]) -> bool:
        contact = ticket.contact
        if contact is None:
            return False
        return await self.delivery.post(
            contact.conversation or contact.user, text, blocks, thread_ts=contact.thread
        )

    async def _call(self, method: str, **arguments: Any) -> bool:
        try:
            await self.client.api_call(method, json=arguments)
            return True
        except (SlackApiError, SlackClientError, TimeoutError, OSError) as exc:
            log.warning("Slack %s failed (%s)", method, type(exc).__name__)
            return False
