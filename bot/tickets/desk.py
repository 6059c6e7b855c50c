"""The ticket desk: what every channel calls to open tickets and act on them.

It prepares what the asker confirms (text redacted like the query log's unless they chose to
send it as written, their id pseudonymized, their contact kept apart), opens one ticket per
key, applies actions with :func:`~bot.tickets.lifecycle.apply` (read, change, store if nobody
changed it meanwhile, else again), and tells its listeners about every change, so that the
channels update the owner's card and tell the asker. For changes no listener heard (the command
line, a replica that stopped, a server of another platform) it keeps how far each card and the
asker follow the history (:mod:`.marks`): :meth:`Desk.due` lists what is behind, and
:meth:`Desk.claim_news` hands the news of a ticket to one replica only.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from statistics import median

from ..encoding import repair
from ..querylog.pseudonyms import Pseudonymizer
from ..querylog.redaction import redact
from ..text import clean, detect_lang, has_words
from .lifecycle import Outcome, apply
from .marks import ASKER, is_asker_behind, is_card_behind, seen, told, with_marks
from .records import UNFINISHED, Contact, Draft, Ticket, TicketFilter, TicketStore

__all__ = ["Desk", "Figures", "figures", "ticket_key"]

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
MAX_NOTE_CHARS = 1000
MAX_NAME_CHARS = 200
ATTEMPTS = 8
# Closed tickets are still looked at this long by the sweeps, for a close nobody showed yet.
RECENTLY_CLOSED = timedelta(days=1)

Listener = Callable[[Ticket, str], None]


def ticket_key(*parts: str) -> str:
    """A ticket's idempotency key from what identifies one request to open it (the platform,
    the asker, the message or confirmation clicked): the same parts give the same key."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _text(value: str | None, limit: int, verbatim: bool) -> str:
    text = clean(repair(value or ""))
    return text[:limit] if verbatim else redact(text, limit)


@dataclass(frozen=True, slots=True)
class Figures:
    """Tickets per status and how long people waited: medians over the tickets given."""

    counts: dict[str, int]
    urgent_open: int
    median_first_response: timedelta | None
    median_answer: timedelta | None

    def to_dict(self) -> dict[str, object]:
        def seconds(value: timedelta | None) -> float | None:
            return None if value is None else round(value.total_seconds(), 1)

        return {
            "counts": self.counts,
            "urgent_open": self.urgent_open,
            "median_first_response_seconds": seconds(self.median_first_response),
            "median_answer_seconds": seconds(self.median_answer),
        }


def _median(values: list[timedelta]) -> timedelta | None:
    return timedelta(seconds=median(v.total_seconds() for v in values)) if values else None


def figures(tickets: Sequence[Ticket]) -> Figures:
    counts = {status: 0 for status in ("open", "assigned", "answered", "closed")}
    for ticket in tickets:
        counts[ticket.status] += 1
    firsts = [t.first_response for t in tickets if t.first_response is not None]
    answers = [t.time_to_answer for t in tickets if t.time_to_answer is not None]
    return Figures(
        counts,
        sum(1 for t in tickets if t.urgent and t.status in ("open", "assigned")),
        _median(firsts),
        _median(answers),
    )


def _unposted(ticket: Ticket, platform: str, now: datetime) -> bool:
    """No card on ``platform`` and no replica posting one (a claim whose time ran out is none)."""
    where = ticket.cards.get(platform) or {}
    return "ts" not in where and ("pending" not in where or datetime.fromisoformat(where["until"]) < now)


@dataclass
class Desk:
    store: TicketStore
    pseudonyms: Pseudonymizer
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    listeners: list[Listener] = field(default_factory=list)

    def prepare(
        self,
        *,
        key: str,
        channel: str,
        question: str,
        user_id: str | None,
        contact: Contact | None = None,
        note: str | None = None,
        lang: str | None = None,
        topic: str | None = None,
        urgent: bool = False,
        question_id: str | None = None,
        verbatim: bool = False,
    ) -> Draft | None:
        """What the owner will see, to show the asker before they confirm; None when the
        question holds no words. ``verbatim``: the asker chose to send it as written."""
        text = _text(question, MAX_QUESTION_CHARS, verbatim)
        if not has_words(text):
            return None
        if contact is not None and contact.name is not None:
            name = clean(repair(contact.name))[:MAX_NAME_CHARS] or None
            contact = Contact(contact.platform, contact.user, contact.conversation, contact.thread, name)
        return Draft(
            key=key,
            channel=channel,
            question=text,
            lang=lang if lang in ("en", "he") else detect_lang(text),
            user=self.pseudonyms("user", user_id),
            note=_text(note, MAX_NOTE_CHARS, verbatim) or None,
            topic=topic,
            urgent=urgent,
            question_id=question_id,
            contact=contact,
        )

    def open(self, draft: Draft) -> tuple[Ticket, bool]:
        """The ticket for the draft's key: opened now (True) or found (False)."""
        ticket, made = self.store.create(draft, self.clock())
        if made:
            log.info("ticket %d opened (channel %s, urgent %s)", ticket.number, ticket.channel, ticket.urgent)
            self._tell(ticket, "opened")
        return ticket, made

    def act(
        self, number: int, action: str, by: str, text: str | None = None, lang: str | None = None
    ) -> Outcome | None:
        """Do ``action`` on ticket ``number``; None when there is no such ticket."""
        for _ in range(ATTEMPTS):
            ticket = self.store.get(number)
            if ticket is None:
                return None
            outcome = apply(ticket, action, by, self.clock(), text, lang)
            if outcome.changed:
                outcome = replace(outcome, ticket=with_marks(ticket, outcome.ticket))
            if not outcome.changed or self.store.replace(outcome.ticket):
                if outcome.changed:
                    log.info("ticket %d %s", number, outcome.ticket.history[-1].action)
                    self._tell(outcome.ticket, outcome.ticket.history[-1].action)
                return outcome
        raise RuntimeError(f"ticket {number} kept changing under {action}")

    def set_card(self, number: int, platform: str, where: Mapping[str, str]) -> Ticket | None:
        """Note where ``platform`` shows the ticket's card to the owner (it is updated there)."""
        for _ in range(ATTEMPTS):
            ticket = self.store.get(number)
            if ticket is None or ticket.cards.get(platform) == where:
                return ticket
            cards = {**ticket.cards, platform: dict(where)}
            if self.store.replace(replace(ticket, cards=cards, version=ticket.version + 1)):
                return self.store.get(number)
        raise RuntimeError(f"ticket {number} kept changing")

    def mark_seen(self, number: int, platform: str, count: int) -> None:
        """``platform``'s card now shows the first ``count`` history events (a mark only rises:
        an older rendering that lands late does not lower it)."""
        for _ in range(ATTEMPTS):
            ticket = self.store.get(number)
            where = (ticket.cards.get(platform) or {}) if ticket else {}
            if ticket is None or "ts" not in where or seen(ticket, platform) >= count:
                return
            cards = {**ticket.cards, platform: {**where, "seen": str(count)}}
            if self.store.replace(replace(ticket, cards=cards, version=ticket.version + 1)):
                return
        raise RuntimeError(f"ticket {number} kept changing")

    def claim_news(self, number: int, platform: str) -> tuple[Ticket, int] | None:
        """Take the job of telling the asker (reached on ``platform``) what they were not told
        yet: the ticket with everything marked told, and where the news starts in its history;
        None when there is nothing to tell or another replica took it first. The claim is made
        before sending, so two replicas never tell the same event; a send that fails is given
        back with :meth:`give_back_news`."""
        for _ in range(ATTEMPTS):
            ticket = self.store.get(number)
            if ticket is None or not is_asker_behind(ticket, platform):
                return None
            start = told(ticket)
            cards = {**ticket.cards, ASKER: {"told": str(len(ticket.history))}}
            claimed = replace(ticket, cards=cards, version=ticket.version + 1)
            if self.store.replace(claimed):
                return claimed, start
        return None

    def give_back_news(self, number: int, start: int, claimed: int) -> None:
        """The news from event ``start`` on could not be sent: mark it untold again, so the
        next sweep tries, unless a later claim moved the mark past ``claimed`` meanwhile (its
        replica told what came after; what this one failed to send stays untold)."""
        for _ in range(ATTEMPTS):
            ticket = self.store.get(number)
            if ticket is None or told(ticket) != claimed:
                if ticket is not None:
                    log.warning("ticket %d: news from event %d could not be given back", number, start)
                return
            cards = {**ticket.cards, ASKER: {"told": str(start)}}
            if self.store.replace(replace(ticket, cards=cards, version=ticket.version + 1)):
                return
        raise RuntimeError(f"ticket {number} kept changing")

    def due(self, platform: str, limit: int = 200) -> list[Ticket]:
        """What a sweep of ``platform`` has to do: unfinished tickets without a card that nobody
        is posting, and tickets (unfinished or closed lately) whose card or asker is behind."""
        now = datetime.now(UTC)
        unfinished = self.store.list(TicketFilter(statuses=UNFINISHED, limit=limit))
        recent = TicketFilter(statuses=frozenset({"closed"}), closed_after=now - RECENTLY_CLOSED, limit=limit)
        return [
            t
            for t in [*unfinished, *self.store.list(recent)]
            if (t.status in UNFINISHED and _unposted(t, platform, now))
            or is_card_behind(t, platform)
            or is_asker_behind(t, platform)
        ]

    def claim_card(self, number: int, platform: str, claimant: str, until: datetime) -> Ticket | None:
        """Take the job of posting ``platform``'s card until ``until``: the ticket when this
        claimant has it (no card yet, and nobody else's claim still running), else None. Replicas
        racing for one card: one wins."""
        now = self.clock()
        claim = {"pending": claimant, "until": until.isoformat()}
        for _ in range(ATTEMPTS):
            ticket = self.store.get(number)
            if ticket is None:
                return None
            where = ticket.cards.get(platform) or {}
            if "ts" in where:
                return None
            if "pending" in where and where["pending"] != claimant:
                if datetime.fromisoformat(where["until"]) > now:
                    return None
            cards = {**ticket.cards, platform: claim}
            claimed = replace(ticket, cards=cards, version=ticket.version + 1)
            if self.store.replace(claimed):
                return claimed
        return None

    def get(self, number: int) -> Ticket | None:
        return self.store.get(number)

    def list(self, where: TicketFilter) -> list[Ticket]:
        return self.store.list(where)

    def mine(self, user_id: str, limit: int = 20) -> Sequence[Ticket]:
        """The asker's own tickets, by their platform id."""
        pseudonym = self.pseudonyms("user", user_id)
        if pseudonym is None:
            return []
        return self.store.list(TicketFilter(user=pseudonym, limit=limit))

    def _tell(self, ticket: Ticket, what: str) -> None:
        for listener in self.listeners:
            try:
                listener(ticket, what)
            except Exception:  # noqa: BLE001 - a channel's trouble never undoes a ticket's change
                log.exception("a ticket listener failed on ticket %d", ticket.number)
