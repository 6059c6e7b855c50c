"""The loop that claims the week, builds the digest and hands it to a platform's post, giving
the week back when the post fails."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from adapters.digest import DigestLoop
from bot.querylog.records import MemoryQueryLog
from bot.tickets.digest import Digest, DigestLedger, MemoryDigestLedger
from bot.tickets.memory import MemoryTicketStore

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)
SUNDAY_NIGHT = MONDAY + timedelta(days=6, hours=23, minutes=30)


class Owners:
    """A platform's owners' channel: records what it is given; refuses or breaks when told."""

    def __init__(self) -> None:
        self.posted: list[Digest] = []
        self.answers: list[bool | Exception] = []
        self.arrived = asyncio.Event()

    async def post(self, digest: Digest) -> bool:
        answer = self.answers.pop(0) if self.answers else True
        if isinstance(answer, Exception):
            raise answer
        if answer:
            self.posted.append(digest)
            self.arrived.set()
        return answer


def loop_for(owners: Owners, ledger: DigestLedger, when: datetime = SUNDAY_NIGHT) -> DigestLoop:
    return DigestLoop(
        "teams",
        MemoryQueryLog(),
        MemoryTicketStore(),
        ledger,
        owners.post,
        weekday=6,
        hour=23,
        clock=lambda: when,
    )


def test_nothing_is_claimed_or_posted_before_the_digest_is_due() -> None:
    owners, ledger = Owners(), MemoryDigestLedger()
    early = loop_for(owners, ledger, SUNDAY_NIGHT - timedelta(hours=1))
    assert asyncio.run(early.send_if_due()) is False
    assert owners.posted == [] and ledger.weeks == {}


def test_a_refused_or_failed_post_gives_the_week_back_for_the_next_look() -> None:
    owners, ledger = Owners(), MemoryDigestLedger()
    owners.answers = [False, ConnectionResetError("owners' channel went away")]
    schedule = loop_for(owners, ledger)
    assert asyncio.run(schedule.send_if_due()) is False
    assert ledger.weeks == {}
    with pytest.raises(ConnectionResetError):
        asyncio.run(schedule.send_if_due())
    assert ledger.weeks == {}
    assert asyncio.run(schedule.send_if_due()) is True
    assert list(ledger.weeks) == ["2026-W48:T"] and schedule.sent == 1
    [digest] = owners.posted
    assert (digest.week, digest.until, digest.since) == (
        "2026-W48",
        SUNDAY_NIGHT,
        SUNDAY_NIGHT - timedelta(days=7),
    )
    assert asyncio.run(schedule.send_if_due()) is False and schedule.sent == 1


def test_a_started_loop_looks_again_after_a_failure_and_stops_when_told() -> None:
    owners, ledger = Owners(), MemoryDigestLedger()
    owners.answers = [RuntimeError("a bug in rendering")]

    async def run() -> None:
        schedule = loop_for(owners, ledger)
        schedule.every = 0.01
        schedule.start()
        await asyncio.wait_for(owners.arrived.wait(), timeout=20)
        await schedule.stop()
        assert schedule.sent == 1

    asyncio.run(run())
    assert len(owners.posted) == 1 and list(ledger.weeks) == ["2026-W48:T"]


def test_only_platforms_with_a_ledger_mark_have_a_digest() -> None:
    with pytest.raises(ValueError, match="web"):
        DigestLoop(
            "web",
            MemoryQueryLog(),
            MemoryTicketStore(),
            MemoryDigestLedger(),
            Owners().post,
            weekday=0,
            hour=8,
        )
