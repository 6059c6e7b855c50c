"""The weekly digest's schedule: due from its day and hour, each platform's week recorded once in
every ledger (memory, SQLite, PostgreSQL) until given back, and the loop that claims, builds and
hands the digest to a platform's post, giving the week back when the post fails."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.querylog.records import MemoryQueryLog
from bot.tickets.digest import (
    LEDGER_MARKS,
    Digest,
    DigestLedger,
    DigestLoop,
    MemoryDigestLedger,
    due_week,
    ledger_key,
)
from bot.tickets.memory import MemoryTicketStore

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)
SUNDAY_NIGHT = MONDAY + timedelta(days=6, hours=23, minutes=30)


def test_the_digest_is_due_from_its_day_and_hour_until_the_week_ends() -> None:
    assert due_week(MONDAY + timedelta(hours=7, minutes=59), 0, 8) is None
    assert due_week(MONDAY + timedelta(hours=8), 0, 8) == "2026-W48"
    assert due_week(MONDAY + timedelta(days=6, hours=23), 0, 8) == "2026-W48"
    assert due_week(MONDAY + timedelta(days=2), 3, 9) is None
    assert due_week(MONDAY + timedelta(days=7, hours=9), 0, 8) == "2026-W49"
    assert due_week(datetime(2027, 1, 1, 12, tzinfo=UTC), 0, 8) == "2026-W53"


def test_a_week_is_claimed_once_until_given_back(digest_ledger: DigestLedger) -> None:
    assert digest_ledger.claim("2026-W48", MONDAY) is True
    assert digest_ledger.claim("2026-W48", MONDAY + timedelta(minutes=5)) is False
    assert digest_ledger.claim("2026-W49", MONDAY) is True
    digest_ledger.release("2026-W48")
    assert digest_ledger.claim("2026-W48", MONDAY) is True
    digest_ledger.release("never-claimed")


def test_each_platform_claims_its_own_week(digest_ledger: DigestLedger) -> None:
    # Slack's key is the bare week, as recorded before Teams had a digest.
    assert ledger_key("slack", "2026-W48") == "2026-W48"
    keys = {ledger_key(platform, "2026-W53") for platform in LEDGER_MARKS}
    assert len(keys) == len(LEDGER_MARKS)
    assert all(digest_ledger.claim(key, MONDAY) for key in keys)
    assert not any(digest_ledger.claim(key, MONDAY) for key in keys)
    digest_ledger.release(ledger_key("teams", "2026-W53"))
    assert digest_ledger.claim(ledger_key("teams", "2026-W53"), MONDAY) is True
    assert digest_ledger.claim(ledger_key("slack", "2026-W53"), MONDAY) is False


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
