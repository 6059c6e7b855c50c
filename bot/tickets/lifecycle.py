"""What each action does to a ticket, as pure functions: the stores only keep the result.

``open`` becomes ``assigned`` when an owner takes it, ``answered`` when one answers (assigned or
not), ``closed`` when one closes it; an answered or closed ticket can be reopened. Doing again
what is already done (assigning to the same owner, closing a closed ticket) changes nothing, so
a repeated click or a retried request is harmless. An action that makes no sense in the
ticket's state is refused with a reason, not raised. The asker may ``rate`` an answer
(``helpful`` or ``not_helpful``): it is kept in the history and changes nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from ..encoding import repair
from .records import Event, Ticket

__all__ = ["ACTIONS", "Outcome", "apply"]

ACTIONS = ("assign", "answer", "close", "reopen")
RATINGS = ("helpful", "not_helpful")
MAX_ANSWER_CHARS = 4000
MAX_NAME_CHARS = 200


@dataclass(frozen=True, slots=True)
class Outcome:
    """The ticket after an action; ``changed`` False when it was already so, ``refused`` the
    reason when the action was not applied (``closed``: reopen it first; ``empty``: an answer
    needs text; ``unknown``: no such action)."""

    ticket: Ticket
    changed: bool
    refused: str | None = None


def _event(ticket: Ticket, action: str, by: str, at: datetime, **fields: object) -> Ticket:
    first_response = ticket.first_response_at or at
    return replace(
        ticket,
        history=(*ticket.history, Event(at, action, by)),
        first_response_at=first_response,
        version=ticket.version + 1,
        **fields,  # type: ignore[arg-type]
    )


def apply(
    ticket: Ticket,
    action: str,
    by: str,
    at: datetime,
    text: str | None = None,
    lang: str | None = None,
) -> Outcome:
    """``ticket`` after ``by`` did ``action`` at ``at`` (``text`` and ``lang``: an answer's)."""
    by = " ".join(repair(by).split())[:MAX_NAME_CHARS] or "owner"
    if action == "assign":
        if ticket.status in ("answered", "closed"):
            return Outcome(ticket, False, ticket.status)
        if ticket.assignee == by:
            return Outcome(ticket, False)
        return Outcome(_event(ticket, "assigned", by, at, status="assigned", assignee=by), True)
    if action == "answer":
        answer = repair(text or "").strip()[:MAX_ANSWER_CHARS]
        if not answer:
            return Outcome(ticket, False, "empty")
        if ticket.status == "closed":
            return Outcome(ticket, False, "closed")
        if ticket.status == "answered" and ticket.answer == answer and ticket.answer_lang == lang:
            return Outcome(ticket, False)
        fields = {"status": "answered", "answer": answer, "answer_lang": lang, "answered_at": at}
        return Outcome(_event(ticket, "answered", by, at, assignee=ticket.assignee or by, **fields), True)
    if action == "close":
        if ticket.status == "closed":
            return Outcome(ticket, False)
        return Outcome(_event(ticket, "closed", by, at, status="closed", closed_at=at), True)
    if action == "reopen":
        if ticket.status not in ("answered", "closed"):
            return Outcome(ticket, False)
        status = "assigned" if ticket.assignee else "open"
        return Outcome(_event(ticket, "reopened", by, at, status=status, closed_at=None), True)
    if action == "rate":
        if text not in RATINGS:
            return Outcome(ticket, False, "unknown")
        if ticket.answer is None:
            return Outcome(ticket, False, "unanswered")
        rated = f"rated {text.replace('_', ' ')}"
        if ticket.history and ticket.history[-1].action == rated:
            return Outcome(ticket, False)
        history = (*ticket.history, Event(at, rated, by))
        return Outcome(replace(ticket, history=history, version=ticket.version + 1), True)
    return Outcome(ticket, False, "unknown")
