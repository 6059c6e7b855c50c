"""The weekly digest in the Teams owners' channel, as an Adaptive Card with what Slack's says;
when it is due and which replica sends it is :class:`adapters.digest.DigestLoop`'s."""

from __future__ import annotations

from typing import Any

from bot.tickets.digest import Digest, waited

from .cards import make_card, text_block
from .ownercards import Outbound, card_activity

__all__ = ["TeamsDigest", "digest_card"]

Element = dict[str, Any]
MAX_EXAMPLE = 200


def _figures(digest: Digest) -> Element:
    outcomes = digest.outcomes
    facts = [
        ("Questions", digest.questions),
        ("Answered", outcomes.get("answered", 0)),
        ("Declined", outcomes.get("declined", 0)),
        ("Asked back", outcomes.get("clarify", 0)),
        ("Not helpful", digest.not_helpful),
    ]
    return {"type": "FactSet", "facts": [{"title": name, "value": str(count)} for name, count in facts]}


def _tickets(digest: Digest) -> str:
    urgent = digest.urgent()
    line = f"{len(digest.open_tickets)} open tickets" + (f" ({urgent} urgent)" if urgent else "")
    oldest = digest.oldest_open()
    return line if oldest is None else f"{line}, the oldest waiting {waited(oldest)}"


def digest_card(digest: Digest, public_url: str) -> dict[str, Any]:
    """The figures, the open tickets, then each of the largest groups of unanswered questions
    with a button to the dashboard's list when ``public_url`` is set."""
    body: list[Element] = [
        text_block(f"Advisor weekly digest · {digest.week}", weight="Bolder", size="Medium"),
        _figures(digest),
        text_block(_tickets(digest), spacing="Medium"),
    ]
    link = digest.admin_url(public_url)
    for group in digest.clusters:
        line = (
            f"{group.count} × “{group.examples[0][:MAX_EXAMPLE]}” (nearest: {group.nearest_topic or 'none'})"
        )
        body.append(text_block(line, spacing="Medium"))
        if link:
            opens = {"type": "Action.OpenUrl", "title": "Open in /admin", "url": link}
            body.append({"type": "ActionSet", "actions": [opens]})
    return make_card(body, [], "en")


class TeamsDigest:
    """Posts the digest in the owners' ``channel`` through the Bot Connector."""

    def __init__(self, outbound: Outbound, channel: str, public_url: str = "") -> None:
        self.outbound = outbound
        self.channel = channel
        self.public_url = public_url

    async def post(self, digest: Digest) -> bool:
        card = card_activity(digest_card(digest, self.public_url))
        # What a notification shows, instead of "sent a card".
        card.summary = f"Advisor weekly digest · {digest.week}: {digest.questions} questions"
        return await self.outbound.send(self.channel, card) is not None
