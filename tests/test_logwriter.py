from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.logwriter import LogWriter
from bot.querylog import LogRecord, MemoryQueryLog, QuestionRecord
from bot.spool import Spool
from bot.sqllog import SqlQueryLog

from .pgserver import PostgresServer

EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def record(n: int, delivery: str | None = None) -> QuestionRecord:
    return QuestionRecord(
        id=f"{n:032x}",
        asked_at=datetime(2026, 11, 26, tzinfo=UTC) + timedelta(seconds=n),
        channel="slack",
        text=f"secret text {n}",
        lang="en",
        outcome="answered",
        confidence=0.4,
        latency_ms=0.5,
        delivery_id=delivery or f"Ev{n}",
        runners_up=(("join-groups", 0.4),),
        user="u" * 32,
    )


class Flaky(MemoryQueryLog):
    """A store that can be switched off, and counts its write calls."""

    def __init__(self) -> None:
        super().__init__()
        self.down = threading.Event()
        self.calls = 0

    def write(self, records: Sequence[LogRecord]) -> None:
        self.calls += 1
        if self.down.is_set():
            raise ConnectionError("database unreachable")
        super().write(records)


def make_writer(store: MemoryQueryLog | SqlQueryLog, tmp_path: Path, **options: float) -> LogWriter:
    settings = {"flush_seconds": 0.02, "retry_seconds": 0.05, **options}
    return LogWriter(store, Spool(tmp_path / "spool.jsonl"), **settings)  # type: ignore[arg-type]


def test_records_are_written_in_batches(tmp_path: Path) -> None:
    store = Flaky()
    writer = make_writer(store, tmp_path, batch_size=50)
    for n in range(500):
        writer.submit(record(n))
    assert writer.flush(10)
    assert len(store.questions(*EVER)) == 500
    assert store.calls <= 500 / 50 + 10
    writer.close()
    assert writer.stats.written == 500 and writer.stats.spooled == 0


def test_outage_spools_then_writes_once_recovered(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = Flaky()
    writer = make_writer(store, tmp_path)
    writer.submit(record(0))
    assert writer.flush(5)
    store.down.set()
    with caplog.at_level(logging.INFO):
        for n in range(1, 101):
            writer.submit(record(n))
        assert writer.flush(5)
        assert writer.backlog == 100 and Spool(tmp_path / "spool.jsonl").count() == 100
        store.down.clear()
        deadline = time.monotonic() + 10
        while writer.backlog and time.monotonic() < deadline:
            time.sleep(0.02)
    writer.close()
    ids = [q.id for q in store.questions(*EVER)]
    assert ids == [record(n).id for n in range(101)]
    assert Spool(tmp_path / "spool.jsonl").count() == 0
    assert writer.stats.failures >= 1
    assert "secret text" not in caplog.text


def test_the_spool_survives_a_restart(tmp_path: Path) -> None:
    store = Flaky()
    store.down.set()
    first = make_writer(store, tmp_path)
    for n in range(30):
        first.submit(record(n))
    first.close()
    assert Spool(tmp_path / "spool.jsonl").count() == 30 and store.questions(*EVER) == []
    store.down.clear()
    second = make_writer(store, tmp_path)
    second.submit(record(30))
    assert second.flush(5)
    deadline = time.monotonic() + 5
    while second.backlog and time.monotonic() < deadline:
        time.sleep(0.02)
    second.close()
    assert len(store.questions(*EVER)) == 31


def test_replaying_a_partly_written_spool_does_not_duplicate(tmp_path: Path) -> None:
    store = Flaky()
    store.write([record(n) for n in range(10)])
    Spool(tmp_path / "spool.jsonl").append([record(n) for n in range(20)])
    writer = make_writer(store, tmp_path)
    writer.submit(record(20))
    writer.close()
    assert len(store.questions(*EVER)) == 21


def test_the_spool_is_bounded_and_drops_are_counted(tmp_path: Path) -> None:
    store = Flaky()
    store.down.set()
    writer = make_writer(store, tmp_path, max_spool=100)
    for n in range(150):
        writer.submit(record(n))
    writer.close()
    assert Spool(tmp_path / "spool.jsonl").count() == 100
    assert writer.stats.dropped == 50


def test_a_torn_spool_line_is_skipped(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool.jsonl")
    spool.append([record(1)])
    with open(spool.path, "a", encoding="utf-8") as handle:
        handle.write('{"kind": "question", "id": "tru')
    with spool.draining() as records:
        assert [r.id for r in records] == [record(1).id]
    assert spool.count() == 0


def test_real_postgresql_outage_loses_and_doubles_nothing(
    postgres: PostgresServer, pg_url: str, tmp_path: Path
) -> None:
    """The catalogue's G51 at small scale: the server is stopped mid-run and started again."""
    store = SqlQueryLog(pg_url)
    store.upgrade()
    writer = make_writer(store, tmp_path, retry_seconds=0.2)
    for n in range(50):
        writer.submit(record(n))
    assert writer.flush(10)
    postgres.stop()
    try:
        started = time.monotonic()
        for n in range(50, 150):
            writer.submit(record(n))
            writer.submit(record(n + 1000, delivery=f"Ev{n}"))
        assert time.monotonic() - started < 1.0
        assert writer.flush(30)
        assert writer.backlog > 0
    finally:
        postgres.start()
        postgres.wait_ready()
    deadline = time.monotonic() + 30
    while writer.backlog and time.monotonic() < deadline:
        time.sleep(0.1)
    writer.close()
    rows = store.questions(*EVER)
    assert len(rows) == 150
    assert len({r.id for r in rows}) == 150
    assert {r.delivery_id for r in rows} == {f"Ev{n}" for n in range(150)}
    store.engine.dispose()


def test_a_burst_beyond_the_queue_spills_to_the_spool(tmp_path: Path) -> None:
    store = Flaky()
    writer = LogWriter(
        store, Spool(tmp_path / "spool.jsonl"), max_queue=10, flush_seconds=0.02, retry_seconds=0.02
    )
    for n in range(500):
        writer.submit(record(n))
    writer.flush(10)
    deadline = time.monotonic() + 10
    while writer.backlog and time.monotonic() < deadline:
        time.sleep(0.02)
    writer.close()
    assert writer.stats.dropped == 0
    assert len(store.questions(*EVER)) == 500
