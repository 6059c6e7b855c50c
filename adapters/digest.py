"""The owners' weekly digest, on every platform that has an owners' channel: each replica looks
now and then whether this week's is due, and the one that records the platform's week first in
the shared ledger (:mod:`bot.tickets.digest`) builds it and hands it to the platform's ``post``,
which renders and posts it. Slack's and Teams' renderings are in their adapters."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from bot.config import Settings
from bot.querylog.records import QueryLog
from bot.service import Service
from bot.tickets.digest import LEDGER_MARKS, Digest, DigestLedger, build_digest, due_week, ledger_key
from bot.tickets.records import TicketStore
from bot.tickets.sql import SqlDigestLedger

__all__ = ["CHECK_SECONDS", "DigestLoop", "Post", "weekly_digest"]

log = logging.getLogger(__name__)

CHECK_SECONDS = 300.0

Post = Callable[[Digest], Awaitable[bool]]


class DigestLoop:
    """One platform's weekly digest: every ``every`` seconds each replica looks whether this
    week's is due, and the one that records the platform's week first builds it and hands it to
    ``post``, which renders and posts it: True when it went out, False (or an exception) when it
    did not, and then the week is given back for the next look."""

    def __init__(
        self,
        platform: str,
        log_store: QueryLog,
        tickets: TicketStore,
        ledger: DigestLedger,
        post: Post,
        *,
        weekday: int,
        hour: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        every: float = CHECK_SECONDS,
    ) -> None:
        if platform not in LEDGER_MARKS:
            raise ValueError(f"no weekly digest for the platform {platform!r}")
        self.platform = platform
        self.log_store = log_store
        self.tickets = tickets
        self.ledger = ledger
        self.post = post
        self.weekday, self.hour = weekday, hour
        self.clock = clock
        self.every = every
        self.sent = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._task = loop.create_task(self._run(), name=f"{self.platform}-digest")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                await self.send_if_due()
            except Exception:  # noqa: BLE001 - the loop's one boundary: try again next time
                log.exception("the weekly %s digest could not be sent", self.platform)
            await asyncio.sleep(self.every)

    async def send_if_due(self) -> bool:
        """Send this week's digest if it is due and no replica has; True when this one did."""
        now = self.clock()
        week = due_week(now, self.weekday, self.hour)
        if week is None:
            return False
        key = ledger_key(self.platform, week)
        if not await asyncio.to_thread(self.ledger.claim, key, now):
            return False
        sent = False
        try:
            digest = await asyncio.to_thread(build_digest, self.log_store, self.tickets, week, now)
            sent = await self.post(digest)
        finally:
            if not sent:
                await asyncio.to_thread(self.ledger.release, key)
        if sent:
            self.sent += 1
        else:
            log.info("the weekly %s digest was not sent; tried again at the next look", self.platform)
        return sent


def weekly_digest(
    platform: str,
    service: Service,
    settings: Settings,
    owner_channel: str,
    post: Post,
    clock: Callable[[], float],
) -> DigestLoop | None:
    """``platform``'s weekly digest, handed to ``post`` on the settings' day and hour and
    recorded in the service's database; None without an owners' channel or when turned off."""
    if not owner_channel or not settings.digest_enabled:
        return None
    return DigestLoop(
        platform,
        service.store,
        service.desk.store,
        SqlDigestLedger(service.store.engine, service.store.write_lock),
        post,
        weekday=settings.digest_weekday,
        hour=settings.digest_hour,
        clock=lambda: datetime.fromtimestamp(clock(), UTC),
    )
