"""The Teams conversation, botbuilder's way (an ``ActivityHandler``): what a message, a card's
button or being added to a chat is answered with. The transport (reading and authenticating
activities, the connector that sends replies) is the adapter's (:mod:`adapters.teams.adapter`)."""

from __future__ import annotations

from typing import Any

from botbuilder.core import ActivityHandler, CardFactory, InvokeResponse, MessageFactory, TurnContext
from botbuilder.schema import Activity, ChannelAccount, TextFormatTypes

from bot import Advisor, Answer, Outcome, Query
from bot.text import detect_lang

from ..channel import FEEDBACK, ask, button_query, labels, record_feedback
from ..commands import Claims, command_query
from .cards import checklist_card, to_card, welcome_card
from .ticketcards import ask_action, ask_card
from .tickets import TeamsTickets
from .unfurl import QUERY_LINK, LinkCards

__all__ = ["AdvisorBot"]

LABELS = ("helpful", "not_helpful", "none_of_these", "done", "thanks_feedback", "apology")


def _is_card_invoke(value: Any) -> bool:
    """An ``adaptiveCard/action`` value botbuilder can read (Action.Execute with its action)."""
    action = value.get("action") if isinstance(value, dict) else None
    return isinstance(action, dict) and action.get("type") == "Action.Execute"


class AdvisorBot(ActivityHandler):
    """The conversation: a message, a card's button or the bot added to a chat, answered."""

    def __init__(
        self,
        advisor: Advisor,
        claims: Claims,
        links: LinkCards | None = None,
        tickets: TeamsTickets | None = None,
    ) -> None:
        self.advisor = advisor
        self.claims = claims
        self.links = links
        self.tickets = tickets

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
        # botbuilder answers a malformed adaptiveCard/action with an error object it cannot
        # serialize (a 500). The advisor's cards use Action.Submit, so these never come from it.
        if turn_context.activity.name == "adaptiveCard/action" and not _is_card_invoke(
            turn_context.activity.value
        ):
            return InvokeResponse(status=400, body={"error": "adaptiveCard/action needs an Action.Execute"})
        if turn_context.activity.name == QUERY_LINK and self.links is not None:
            return InvokeResponse(status=200, body=await self.links.query_link(turn_context.activity))
        return await super().on_invoke_activity(turn_context)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        value = turn_context.activity.value
        if isinstance(value, dict) and "advisor" in value:
            await self.on_card_action(turn_context, value)
        else:
            await self.on_text(turn_context)

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if any(member.id == bot_id for member in members_added):
            await self.on_added(turn_context)

    def labels(self, lang: str) -> dict[str, str]:
        return labels(self.advisor, lang, LABELS)

    def query_fields(self, activity: Activity) -> dict[str, Any]:
        channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
        user = activity.from_property
        return {
            "channel": "teams",
            "user_id": (user.aad_object_id or user.id) if user else None,
            "workspace_id": (channel_data.get("tenant") or {}).get("id"),
            "conversation_id": activity.conversation.id if activity.conversation else None,
        }

    async def ask(self, query: Query) -> Answer | None:
        return await ask(self.advisor, query)

    def render(self, answer: Answer | None, lang: str, quote: str | None = None) -> Activity:
        if answer is None:
            message = MessageFactory.text(self.advisor.label("apology", lang))
            message.text_format = TextFormatTypes.plain
            return message
        labels = self.labels(answer.lang)
        card = (
            checklist_card(answer, answer.steps, labels["done"])
            if answer.steps
            else to_card(answer, labels, quote)
        )
        ask = self.ask_owner(answer)
        if ask is not None:
            card.setdefault("actions", []).append(ask)
        return MessageFactory.attachment(CardFactory.adaptive_card(card))

    def ask_owner(self, answer: Answer) -> dict[str, Any] | None:
        """ "Ask the policy owner" under a decline; the urgent one under an incident's answer."""
        phrases = self.tickets.phrases if self.tickets is not None else None
        if phrases is None:
            return None
        if answer.outcome is Outcome.DECLINED and answer.question.strip():
            return ask_action(phrases, answer.lang, answer.question, answer.id, answer.topic)
        if answer.outcome is Outcome.ANSWERED and answer.topic in phrases.incidents and not answer.steps:
            return ask_action(phrases, answer.lang, answer.question, answer.id, answer.topic, urgent=True)
        return None

    async def on_text(self, context: TurnContext) -> None:
        activity = context.activity
        delivery = f"teams:{activity.conversation.id if activity.conversation else ''}:{activity.id}"
        if not await self.claims(delivery):
            return
        text = (TurnContext.remove_recipient_mention(activity) or "").strip()
        if self.tickets is not None and await self.tickets.command(context, text):
            return
        fields = self.query_fields(activity) | {"delivery_id": delivery}
        query = command_query(text, **fields)
        answer = await self.ask(query)
        await context.send_activity(self.render(answer, detect_lang(text)))

    async def on_card_action(self, context: TurnContext, value: dict[str, Any]) -> None:
        fields = self.query_fields(context.activity)
        kind, lang = str(value.get("advisor")), value.get("l") if value.get("l") in ("en", "he") else None
        if kind in FEEDBACK:
            await record_feedback(self.advisor, kind, str(value.get("q", "")), "teams", fields["user_id"])
            thanks = MessageFactory.text(self.labels(lang or "en")["thanks_feedback"])
            thanks.text_format = TextFormatTypes.plain
            await context.send_activity(thanks)
            if self.tickets is not None and kind in ("not_helpful", "none"):
                phrases, shown = self.tickets.phrases, lang or "en"
                card = ask_card(phrases, shown, phrases.say("ask_owner", shown), str(value.get("q", "")))
                await context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))
            return
        if kind.startswith("ticket-"):
            await self.on_ticket_action(context, kind, value, lang)
            return
        ticked = frozenset(
            k[5:] for k, v in value.items() if k.startswith("item:") and str(v).lower() == "true"
        )
        query = button_query(kind, value, ticked, lang=lang, **fields)
        if query is None:
            return
        await context.send_activity(self.render(await self.ask(query), lang or "en"))

    async def on_ticket_action(
        self, context: TurnContext, kind: str, value: dict[str, Any], lang: str | None
    ) -> None:
        if self.tickets is not None:
            await self.tickets.card_action(context, kind, value, lang or "en")

    async def on_added(self, context: TurnContext) -> None:
        locale = (context.activity.locale or "").lower()
        if locale.startswith("he"):
            about = await self.ask(Query("", topic="help", lang="he"))
            second = None
        else:
            about = await self.ask(Query("", topic="help", lang="en"))
            second = await self.ask(Query("", topic="greeting", lang="he"))
        if about is not None:
            await context.send_activity(
                MessageFactory.attachment(CardFactory.adaptive_card(welcome_card(about, second)))
            )
