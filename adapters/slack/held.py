"""Slack messages from their acknowledgement until they are let go of.

A message is journaled on local disk before it is acknowledged (see :mod:`adapters.slack.journal`),
claimed in the database (kept there until answered, so another replica answers it if this one
dies), held while it is answered, and let go of in batches once its log record is safe. A
sweeper renews the leases of what this process still holds and takes over what a dead replica
acknowledged and never answered.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.config import Settings
from bot.service import Service

from ..commands import Claims
from ..tasks import Tasks
from .events import delivery_id, kept
from .journal import SLACK_JOURNAL, Journal

__all__ = ["RELEASE_SECONDS", "HeldMessages"]

log = logging.getLogger(__name__)

# Answered messages are let go of in batches, this often (seconds): a replica killed in between
# leaves at most this much to be answered twice.
RELEASE_SECONDS = 0.1

Answerer = Callable[[dict[str, Any], str, str], Awaitable[None]]


class HeldMessages:
    """``answer(event, team, delivery)`` answers a claimed message; this class does the rest."""

    def __init__(self, service: Service, settings: Settings, tasks: Tasks, answer: Answerer) -> None:
        self.service = service
        self.tasks = tasks
        self._answer = answer
        self.lease_seconds = settings.answer_lease_seconds
        self.sweep_seconds = settings.answer_sweep_seconds
        self._sweeper: asyncio.Task[None] | None = None
        self._held: set[str] = set()
        # Answered messages, each with the log writer's mark after its record: a message is let
        # go of once its record is safe (in the database or the spool), so a replica killed in
        # between leaves it to be taken over, answered again and logged once, not unlogged.
        self._answered: list[tuple[str, int]] = []
        # Releases and leases go through one thread of their own (claims through another): they
        # wait on the database, and more threads would take the interpreter from the acks.
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="slack-db")
        self.claims = Claims(service, settings.claim_timeout_seconds, settings.answer_lease_seconds, "Slack")
        # Questions between their acknowledgement and their claim: on disk, for a restart.
        self.journal = Journal(settings.data_dir / SLACK_JOURNAL)

    def start(self) -> None:
        """Start the sweeper, and answer what the journal of a process killed here holds."""
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep(), name="slack-sweeper")
        for entry in self.journal.open():
            if isinstance(entry.get("event"), dict):
                work = self.answer(entry["event"], str(entry.get("team", "")))
                self.tasks.spawn(work, "slack-journaled")

    def note(self, team: str, event: dict[str, Any]) -> None:
        """Write the message down before its acknowledgement leaves."""
        self.journal.add(delivery_id(team, event), {"team": team, "event": kept(event)})

    async def answer(self, event: dict[str, Any], team: str, taken_over: bool = False) -> None:
        """Claim the message (kept in the database until answered, so that another replica
        answers it if this one dies), answer it, then let it go."""
        delivery = delivery_id(team, event)
        if not taken_over:
            keep = {"channel": "slack", "team": team, "event": kept(event)}
            if not await self.claims(delivery, keep):
                self.journal.done([delivery])  # another replica has it
                return
        self._held.add(delivery)
        try:
            await self._answer(event, team, delivery)
        finally:
            self._held.discard(delivery)
            self._answered.append((delivery, self.service.writer.submitted))

    async def _sweep(self) -> None:
        """Answer messages a replica acknowledged and could not answer (it died): the database
        hands each to one replica once its lease has ended."""
        swept = time.monotonic()
        while True:
            await asyncio.sleep(RELEASE_SECONDS)
            await self._release()
            if time.monotonic() - swept < self.sweep_seconds:
                continue
            swept = time.monotonic()
            # Messages still being answered here, or answered and not yet let go of (their log
            # record or claim is on its way), keep their leases: only a dead replica's lapse.
            alive = [*self._held, *(delivery for delivery, _ in self._answered)]
            await self._database(self.service.deliveries.renew, alive, self.lease_seconds)
            for taken in await self._database(self.service.deliveries.take_over_lapsed, self.lease_seconds):
                if taken.get("channel") == "slack" and isinstance(taken.get("event"), dict):
                    work = self.answer(taken["event"], str(taken.get("team", "")), taken_over=True)
                    self.tasks.spawn(work, "slack-taken-over")

    async def _database(self, work: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._db, work, *args)

    async def _release(self) -> None:
        """Let go of the messages answered (and logged, and claimed: a claim past its deadline
        may still be on its way) since the last time, in one statement."""
        ready: list[tuple[str, int]] = []
        waiting: list[tuple[str, int]] = []
        unsettled = self.claims.unsettled
        for answered in self._answered:
            delivery, mark = answered
            safe = self.service.writer.durable(mark) and delivery not in unsettled
            (ready if safe else waiting).append(answered)
        if not ready:
            return
        self._answered = waiting
        released = [delivery for delivery, _ in ready]
        if await self._database(self.service.deliveries.release, released):
            self.journal.done(released)
            return
        # The database is away: keep them for the next round (bounded; past it their leases lapse
        # and they may be answered twice).
        unreleased = ready + self._answered
        self._answered = unreleased[-100_000:]
        self.journal.done(delivery for delivery, _ in unreleased[:-100_000])

    def stop_sweeping(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()

    async def close(self) -> None:
        """Let go of what was answered, then close the journal and the database threads."""
        await self._release()
        self.journal.close()
        self._db.shutdown(wait=False)
        self.claims.close()
