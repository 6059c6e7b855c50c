"""What the chat adapters share beyond :mod:`adapters.channel`: reading a typed command, and
asking the database which replica answers a message.

Claims have a thread of their own (answers another, :func:`adapters.channel.ask`): a slow
database keeps a claim's thread waiting, never the threads that answer (nor the default
executor's, which others share).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot import Query
from bot.service import Service
from bot.text import detect_lang

from .tasks import Batched, ClaimDeadline, Turnstile

__all__ = ["Claims", "command_query"]

log = logging.getLogger(__name__)

CHECKLIST_WORDS = ("checklists", "checklist", "רשימות בדיקה", "רשימת בדיקה", "צ'קליסט")
HELP_WORDS = frozenset({"", "help", "עזרה"})


def command_query(text: str, **fields: Any) -> Query:
    """``checklist [NAME]``, ``help``, ``ask QUESTION`` or just a question, in either language."""
    lowered = text.lower()
    word = next((w for w in CHECKLIST_WORDS if lowered.startswith(w)), None)
    if lowered.startswith("ask "):
        return Query(text[4:].strip(), **fields)
    if word is not None:
        return Query(text, checklist=text[len(word) :].strip(), lang=detect_lang(text), **fields)  # type: ignore[arg-type]
    if lowered in HELP_WORDS:
        return Query(text, topic="help", lang=detect_lang(text), **fields)  # type: ignore[arg-type]
    return Query(text, **fields)


class Claims:
    """``await claims(delivery, keep)``: True when this replica should answer the delivery.

    The database decides (see :class:`bot.delivery.leases.Deliveries`), on a thread of its own;
    claims that come while one is in flight go together in the next call; and past ``seconds`` the answer goes
    out anyway (:class:`ClaimDeadline`). With ``pace``, the answers one batch wakes go on one per
    turn of the event loop (:class:`Turnstile`): for answers rendered and sent on the loop itself
    (Teams: botbuilder's serialization takes milliseconds each), not for those handed to threads
    (Slack), where a gate would only cap how many a second get through."""

    def __init__(
        self, service: Service, seconds: float, lease_seconds: float, what: str, pace: bool = False
    ) -> None:
        self.service = service
        self.lease_seconds = lease_seconds
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{what.lower()}-claims")
        self._batched: Batched[tuple[str, dict[str, Any] | None], bool] = Batched(self._claim_many)
        self.deadline = ClaimDeadline(seconds, what)
        self.turnstile = Turnstile() if pace else None
        self.unsettled: set[str] = set()
        """Deliveries whose claim the database has not finished (answered past the deadline):
        what it keeps for them must not be let go of before it is there."""

    async def __call__(self, delivery: str, keep: dict[str, Any] | None = None) -> bool:
        claim = asyncio.ensure_future(self._batched((delivery, keep)))
        self.unsettled.add(delivery)
        claim.add_done_callback(lambda _: self.unsettled.discard(delivery))
        verdict = await self.deadline(claim)
        if self.turnstile is not None:
            await self.turnstile()
        return verdict

    async def _claim_many(self, items: list[tuple[str, dict[str, Any] | None]]) -> list[bool]:
        loop = asyncio.get_running_loop()
        claim_many = self.service.deliveries.claim_many
        return await loop.run_in_executor(self._thread, claim_many, items, self.lease_seconds)

    def close(self) -> None:
        self._thread.shutdown(wait=False)
