"""How far each owner's card and the asker have followed a ticket's history.

The marks live in the ticket's ``cards`` JSON, so rows stored before them stay valid: each
platform's card has ``seen``, the number of history events it shows, and the ``asker`` entry
has ``told``, the number of events the asker was told of (or that need no news: the opening,
ratings). A mark that is missing means "up to date": tickets stored before the marks existed
are not replayed, and the first change made to one sets the marks to just before it
(:func:`with_marks`). Whoever made a change (a server's listener, the command line, a replica
that stopped), the replicas' sweeps find what is behind with :func:`is_card_behind` and
:func:`is_asker_behind`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from .records import Event, Ticket

__all__ = [
    "ASKER",
    "NEWS",
    "is_asker_behind",
    "is_card_behind",
    "news_since",
    "seen",
    "told",
    "with_marks",
]

ASKER = "asker"
"""The key of the asker's mark in ``Ticket.cards`` (not a platform)."""
NEWS = frozenset({"assigned", "answered", "closed", "reopened"})
"""The events the asker is told of."""


def seen(ticket: Ticket, platform: str) -> int:
    """How many history events ``platform``'s card shows (all of them when not marked)."""
    return _count(ticket.cards.get(platform) or {}, "seen", len(ticket.history))


def told(ticket: Ticket) -> int:
    """How many history events the asker has been told of (all of them when not marked)."""
    return _count(ticket.cards.get(ASKER) or {}, "told", len(ticket.history))


def _count(where: Mapping[str, str], name: str, default: int) -> int:
    try:
        return int(where[name])
    except (KeyError, ValueError):
        return default


def is_card_behind(ticket: Ticket, platform: str) -> bool:
    """The platform's card is there but shows fewer events than the ticket has."""
    return "ts" in (ticket.cards.get(platform) or {}) and seen(ticket, platform) < len(ticket.history)


def is_asker_behind(ticket: Ticket, platform: str) -> bool:
    """The asker, reached on ``platform``, has not been told of every event yet."""
    contact = ticket.contact
    return contact is not None and contact.platform == platform and told(ticket) < len(ticket.history)


def news_since(ticket: Ticket, start: int) -> list[tuple[int, Event]]:
    """The events from ``start`` on that the asker hears of, with their place in the history."""
    return [(i, e) for i, e in enumerate(ticket.history) if i >= start and e.action in NEWS]


def with_marks(before: Ticket, after: Ticket) -> Ticket:
    """``after`` (a change of ``before``) with every missing mark set to ``before``'s history:
    what happened until then was shown and told; the change is what is owed."""
    done = str(len(before.history))
    cards = {platform: dict(where) for platform, where in after.cards.items()}
    if ASKER not in cards:
        cards[ASKER] = {"told": done}
    for where in cards.values():
        if "ts" in where and "seen" not in where:
            where["seen"] = done
    return after if cards == after.cards else replace(after, cards=cards)
