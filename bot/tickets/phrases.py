"""What the advisor says about tickets, in English and Hebrew, from ``knowledge/tickets.yaml``:
validated at load like the rest of the knowledge base (a missing sentence or language names the
file and the field)."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from ..errors import KnowledgeError
from ..knowledge.loading import read_model
from ..knowledge.localized import Localized, Sentences

__all__ = ["TicketPhrases", "load_ticket_phrases"]


class TicketPhrases(Sentences):
    PLACEHOLDERS = frozenset({"number", "by", "question"})

    incidents: list[str] = []
    """Topics that are incidents: their answers offer an urgent ticket at once."""
    report_now: Localized
    urgent_label: Localized
    ask_owner: Localized
    preview: Localized
    from_label: Localized
    question_label: Localized
    note_label: Localized
    send: Localized
    cancel: Localized
    cancelled: Localized
    empty: Localized
    sent: Localized
    assigned: Localized
    answered: Localized
    closed: Localized
    reopened: Localized
    mine: Localized
    mine_none: Localized
    status_open: Localized
    status_assigned: Localized
    status_answered: Localized
    status_closed: Localized
    rate_helpful: Localized
    rate_not_helpful: Localized
    rated: Localized
    bad_card: Localized
    no_ticket: Localized
    not_yours: Localized
    too_long: Localized


def load_ticket_phrases(knowledge_dir: Path, topics: Collection[str] | None = None) -> TicketPhrases:
    """With ``topics``, every incident must be one of them."""
    path = knowledge_dir / "tickets.yaml"
    phrases = read_model(path, TicketPhrases)
    unknown = [t for t in phrases.incidents if topics is not None and t not in topics]
    if unknown:
        raise KnowledgeError(str(path), "incidents", f"no topic called {unknown[0]!r}")
    return phrases
