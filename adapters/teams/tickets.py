"""Asking the policy owner in Teams.

The asker: "Ask the policy owner" (under a decline, after "Not helpful" or "None of these"), the
urgent "Tell the policy owner now" under an incident's answer, and ``ask-owner [QUESTION]`` reply
with a card form showing what the owner will see; Send opens one ticket (the form carries a
random key, so a doubled or redelivered submit finds the same ticket). They are told its number,
then every change and the answer, in the conversation they asked in, and can rate the answer;
``my-questions`` lists theirs.

The owner: a card in the owners' channel (``ADVISOR_TEAMS_OWNER_CHANNEL``) with Assign to me,
Answer (a form inside the card), Close and Reopen, updated in place on every change, whoever
made it (Teams, Slack, the dashboard, the command line, another replica); :mod:`.ownercards`
posts them, once, retries, and sweeps for what is behind.
Card submits that are not what the advisor sent get a sentence in the person's language.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Mapping
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import Activity, TextFormatTypes
from msrest.exceptions import ClientRequestError, HttpOperationError

from bot.learned.records import Entry
from bot.learned.teach import Teacher
from bot.text import detect_lang
from bot.tickets.desk import MAX_NOTE_CHARS, MAX_QUESTION_CHARS, Desk, ticket_key
from bot.tickets.phrases import TicketPhrases
from bot.tickets.records import Contact, Event, Ticket

from ..tasks import Tasks
from ..ticketsweep import TicketSweep
from .cards import make_card, text_block
from .ownercards import Outbound, OwnerCards, card_activity
from .ticketcards import confirm_card, mine_card, notice_card, sent_card

__all__ = ["TeamsTickets"]

log = logging.getLogger(__name__)

OWNER_ACTIONS = {"ticket-assign": "assign", "ticket-close": "close", "ticket-reopen": "reopen"}
MAX_ANSWER_CHARS = 4000


def _plain(text: str) -> Activity:
    message = MessageFactory.text(text)
    message.text_format = TextFormatTypes.plain
    return message


def _lang(value: dict[str, Any], fallback: str = "en") -> str:
    lang = value.get("l")
    return lang if isinstance(lang, str) and lang in ("en", "he") else fallback


def _optional_text(value: dict[str, Any], name: str) -> str | None:
    """A form field: its text, "" when absent; None when it is not text."""
    field = value.get(name, "")
    return field if isinstance(field, str) else None


def _short(value: dict[str, Any], name: str) -> str | None:
    """An id the advisor put on a card (a topic, an answer): text of at most 80 characters."""
    field = value.get(name)
    return field if isinstance(field, str) and 0 < len(field) <= 80 else None


class TeamsTickets:
    def __init__(
        self,
        desk: Desk,
        phrases: TicketPhrases,
        outbound: Outbound,
        tasks: Tasks,
        owner_channel: str,
        retry_seconds: float,
        sweep_seconds: float,
        routes: Mapping[str, str] | None = None,
        teacher: Teacher | None = None,
    ) -> None:
        """``teacher``: what the owner may put into knowledge as they answer."""
        self.desk = desk
        self.teacher = teacher
        self.phrases = phrases
        self.outbound = outbound
        self.tasks = tasks
        self.owner_channel = owner_channel
        self.cards = TicketSweep(
            desk, OwnerCards(outbound), tasks, owner_channel, retry_seconds, sweep_seconds, routes, self._news
        )
        self.loop: asyncio.AbstractEventLoop | None = None
        desk.listeners.append(self.changed)

    def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.cards.start()

    async def stop(self) -> None:
        await self.cards.stop()

    async def card_action(self, context: TurnContext, kind: str, value: dict[str, Any], lang: str) -> None:
        """A ``ticket-...`` card submit; one the advisor never sends gets ``bad_card``."""
        if kind == "ticket-ask":
            await self.confirm(context, value)
        elif kind == "ticket-send":
            await self.send(context, value)
        elif kind == "ticket-cancel":
            cancelled = self.phrases.say("cancelled", lang)
            await self._close_form(context, make_card([text_block(cancelled)], [], lang))
            await context.send_activity(_plain(cancelled))
        elif kind == "ticket-rate":
            await self.rate(context, value)
        elif kind in OWNER_ACTIONS or kind == "ticket-answer":
            await self.owner_action(context, kind, value)
        else:
            await context.send_activity(_plain(self.phrases.say("bad_card", lang)))

    # -- the asker ----------------------------------------------------------------------------

    async def command(self, context: TurnContext, text: str) -> bool:
        """``ask-owner QUESTION`` and ``my-questions``; False for any other text."""
        word, _, rest = text.strip().partition(" ")
        if word.lower() == "ask-owner":
            # Alone, it opens the form with the question to write there.
            lang = detect_lang(rest) if rest.strip() else _locale(context)
            await self.confirm(context, {"q": rest, "l": lang})
            return True
        if word.lower() == "my-questions":
            lang = detect_lang(rest) if rest.strip() else _locale(context)
            mine = await asyncio.to_thread(self.desk.mine, _user(context))
            await context.send_activity(card_activity(mine_card(self.phrases, lang, list(mine))))
            return True
        return False

    async def confirm(self, context: TurnContext, value: dict[str, Any]) -> None:
        """The form showing what the owner will see, with a fresh key for its Send."""
        question = value.get("q", "")
        question = question if isinstance(question, str) else ""
        lang = _lang(value, detect_lang(question))
        prepared = self.desk.prepare(
            key="preview", channel="teams", question=question, user_id=_user(context)
        )
        meta: dict[str, Any] = {"k": secrets.token_hex(16), "l": lang, "a": self._asker(_user(context))}
        for name in ("i", "t"):
            if _short(value, name) is not None:
                meta[name] = value[name]
        if value.get("u"):
            meta["u"] = 1
        card = confirm_card(self.phrases, lang, _name(context), prepared.question if prepared else "", meta)
        await context.send_activity(card_activity(card))

    async def send(self, context: TurnContext, value: dict[str, Any]) -> None:
        """The form's Send: open the ticket (once per form) and give its number."""
        lang = _lang(value)
        key, question, note = value.get("k"), _optional_text(value, "question"), _optional_text(value, "note")
        if not isinstance(key, str) or not key or question is None or note is None:
            await context.send_activity(_plain(self.phrases.say("bad_card", lang)))
            return
        user = _user(context)
        if value.get("a") != self._asker(user):
            await context.send_activity(_plain(self.phrases.say("not_yours", lang)))
            return
        if len(question) > MAX_QUESTION_CHARS or len(note) > MAX_NOTE_CHARS:
            await context.send_activity(_plain(self.phrases.say("too_long", lang)))
            return
        activity = context.activity
        draft = self.desk.prepare(
            key=ticket_key("teams", _tenant(activity), user, key),
            channel="teams",
            question=question,
            note=note,
            user_id=user,
            lang=lang,
            topic=_short(value, "t"),
            urgent=bool(value.get("u")),
            question_id=_short(value, "i"),
            contact=Contact("teams", user, activity.conversation.id, None, _name(context)),
        )
        if draft is None:
            await context.send_activity(_plain(self.phrases.say("empty", lang)))
            return
        ticket, made = await asyncio.to_thread(self.desk.open, draft)
        if made:
            sent = self.phrases.say("sent", lang, number=ticket.number)
            await self._close_form(context, sent_card(self.phrases, ticket, sent))
            await context.send_activity(_plain(sent))

    async def _close_form(self, context: TurnContext, card: dict[str, Any]) -> None:
        """The form that was sent becomes what was sent, without its buttons."""
        form = context.activity.reply_to_id
        if not form:
            return
        replaced = card_activity(card)
        replaced.id = form
        try:
            await context.update_activity(replaced)
        except (ClientRequestError, HttpOperationError, OSError, TimeoutError) as exc:
            log.info("the sent form could not be replaced (%s)", type(exc).__name__)

    def _asker(self, user: str) -> str:
        """Who a form was shown to (a short pseudonym): in a group chat or channel, only they
        can send it, under the name it showed."""
        return (self.desk.pseudonyms("user", user) or "")[:16]

    async def rate(self, context: TurnContext, value: dict[str, Any]) -> None:
        """The asker rated the owner's answer (only the asker may)."""
        lang = _lang(value)
        ticket = await self._ticket(context, value, lang)
        if ticket is None:
            return
        rating = value.get("r")
        if rating not in ("helpful", "not_helpful"):
            await context.send_activity(_plain(self.phrases.say("bad_card", lang)))
            return
        if ticket.contact is None or ticket.contact.user != _user(context):
            await context.send_activity(_plain(self.phrases.say("not_yours", lang)))
            return
        outcome = await asyncio.to_thread(self.desk.act, ticket.number, "rate", "asker", rating)
        if outcome is not None and not outcome.refused:
            await context.send_activity(_plain(self.phrases.say("rated", ticket.lang)))

    # -- the owner ----------------------------------------------------------------------------

    async def owner_action(self, context: TurnContext, kind: str, value: dict[str, Any]) -> None:
        """Assign, answer, close or reopen, from the owner's card in the owners' channel."""
        lang = _lang(value, _locale(context))
        conversation = context.activity.conversation.id if context.activity.conversation else ""
        if conversation.split(";")[0] not in self.cards.channels:
            await context.send_activity(_plain(self.phrases.say("not_yours", lang)))
            return
        ticket = await self._ticket(context, value, lang)
        if ticket is None:
            return
        who = _name(context) or "owner"
        if kind in OWNER_ACTIONS:
            await asyncio.to_thread(self.desk.act, ticket.number, OWNER_ACTIONS[kind], who)
            return
        text, answer_lang = _optional_text(value, "answer"), value.get("lang")
        if text is None or not text.strip():
            await context.send_activity(_plain("Write the answer first."))
            return
        if len(text) > MAX_ANSWER_CHARS:
            await context.send_activity(
                _plain(f"The answer is too long: at most {MAX_ANSWER_CHARS} characters.")
            )
            return
        answer_lang = answer_lang if answer_lang in ("en", "he") else None
        outcome = await asyncio.to_thread(self.desk.act, ticket.number, "answer", who, text, answer_lang)
        if outcome is not None and outcome.refused == "closed":
            await context.send_activity(_plain(f"Ticket #{ticket.number} is closed: reopen it first."))
            return
        learn = _short(value, "learn")
        if outcome is None or outcome.refused or not learn or self.teacher is None:
            return
        lesson = await asyncio.to_thread(self.teacher.from_ticket, outcome.ticket, learn, who)
        if lesson is not None and lesson.refused:
            told = self.teacher.not_learned(lesson, ticket.number, answer_lang or detect_lang(text))
            await context.send_activity(_plain(told))
        elif lesson is not None and lesson.item is not None:
            done = "Published as" if isinstance(lesson.item, Entry) else "Added to"
            await context.send_activity(_plain(f"Ticket #{ticket.number}: {done} {lesson.item.topic}."))

    async def _ticket(self, context: TurnContext, value: dict[str, Any], lang: str) -> Ticket | None:
        number = value.get("n")
        if not isinstance(number, int) or isinstance(number, bool):
            await context.send_activity(_plain(self.phrases.say("bad_card", lang)))
            return None
        ticket = await asyncio.to_thread(self.desk.get, number)
        if ticket is None:
            await context.send_activity(_plain(self.phrases.say("no_ticket", lang, number=number)))
        return ticket

    # -- changes: the owner's card and the asker's news ---------------------------------------

    def changed(self, ticket: Ticket, what: str) -> None:
        """A desk listener, called on whatever thread made the change."""
        if self.loop is None or self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.tasks.spawn, self.cards.catch_up(ticket.number), "teams-ticket")

    async def _news(self, ticket: Ticket, event: Event) -> bool:
        contact = ticket.contact
        if contact is None or not contact.conversation:
            return False
        card = notice_card(self.phrases, ticket, event.action, event.by)
        return await self.outbound.send(contact.conversation, card_activity(card)) is not None


def _user(context: TurnContext) -> str:
    user = context.activity.from_property
    return str((user.aad_object_id or user.id) if user else "")


def _name(context: TurnContext) -> str:
    user = context.activity.from_property
    return str(user.name or "") if user else ""


def _tenant(activity: Activity) -> str:
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = channel_data.get("tenant")
    return str(tenant.get("id") or "") if isinstance(tenant, dict) else ""


def _locale(context: TurnContext) -> str:
    return "he" if (context.activity.locale or "").lower().startswith("he") else "en"
