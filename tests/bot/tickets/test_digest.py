"""The weekly digest's schedule: due from its day and hour, each platform's week recorded once in
every ledger (memory, SQLite, PostgreSQL) until given back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.tickets.digest import (
    LEDGER_MARKS,
    DigestLedger,
    due_week,
    ledger_key,
)

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
