"""One contract for every nudge store: memory, SQLite and a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.nudge import MemoryNudgeStore, NudgeCount, NudgeStore
from bot.nudge.sql import SqlNudgeStore
from tests.conftest import sql_log

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def nudges(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[NudgeStore]:
    if request.param == "memory":
        yield MemoryNudgeStore()
        return
    with sql_log(request, tmp_path) as sql:
        yield SqlNudgeStore(sql.engine, sql.write_lock)


def test_channels_are_off_until_turned_on(nudges: NudgeStore) -> None:
    assert nudges.is_on("w", "c") is False
    nudges.turn("w", "c", True, NOW)
    nudges.turn("w", "c", True, NOW)
    assert nudges.is_on("w", "c") is True and nudges.is_on("w", "d") is False
    assert nudges.is_on("v", "c") is False
    nudges.turn("w", "c", False, NOW)
    nudges.turn("w", "c", False, NOW)
    assert nudges.is_on("w", "c") is False


def test_one_nudge_per_person_kind_and_day(nudges: NudgeStore) -> None:
    assert nudges.take("u", "join-group", "facebook", NOW) is True
    assert nudges.take("u", "join-group", "linkedin", NOW + timedelta(hours=1)) is False
    assert nudges.take("u", "install-app", "facebook", NOW) is True
    assert nudges.take("v", "join-group", "facebook", NOW) is True
    assert nudges.take("u", "join-group", "whatsapp", NOW + timedelta(days=1)) is True
    counts = nudges.counts(NOW, NOW + timedelta(days=2))
    assert counts == [
        NudgeCount("join-group", "facebook", 2),
        NudgeCount("install-app", "facebook", 1),
        NudgeCount("join-group", "whatsapp", 1),
    ]
    assert nudges.counts(NOW + timedelta(days=1), NOW + timedelta(days=2)) == [
        NudgeCount("join-group", "whatsapp", 1)
    ]
    assert nudges.forget("u") == 3
    assert nudges.counts(NOW, NOW + timedelta(days=2)) == [NudgeCount("join-group", "facebook", 1)]


def test_old_nudges_are_purged(nudges: NudgeStore) -> None:
    nudges.turn("w", "c", True, NOW - timedelta(days=400))
    nudges.take("u", "join-group", "facebook", NOW - timedelta(days=40))
    nudges.take("u", "install-app", "tiktok", NOW)
    assert nudges.purge(NOW - timedelta(days=30)) == 1
    assert nudges.counts(NOW - timedelta(days=50), NOW + timedelta(days=1)) == [
        NudgeCount("install-app", "tiktok", 1)
    ]
    assert nudges.is_on("w", "c") is True
