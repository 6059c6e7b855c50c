from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.querylog.deadletters import DeadLetters
from bot.querylog.records import LogRecord, MemoryQueryLog, QuestionRecord
from bot.querylog.spool import Spool
from bot.querylog.sql import SqlQueryLog
from bot.querylog.writer import LogWriter
from tests.pgserver import PostgresServer

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

    def ping(self) -> bool:
        return not self.down.is_set()


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
        for n in range(50, 150):
            writer.submit(record(n))
            writer.submit(record(n + 1000, delivery=f"Ev{n}"))
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


class Slow(Flaky):
    """A store whose writes take ``seconds`` each; records when each write began and ended."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds
        self.writes: list[tuple[float, float]] = []
        self.gate = threading.Event()
        self.gate.set()

    def write(self, records: Sequence[LogRecord]) -> None:
        self.gate.wait(10)
        began = time.monotonic()
        time.sleep(self.seconds)
        super().write(records)
        self.writes.append((began, time.monotonic()))


def gaps(writes: list[tuple[float, float]]) -> list[float]:
    return [b[0] - a[1] for a, b in zip(writes, writes[1:], strict=False)]


def test_catching_up_on_a_backlog_rests_between_writes(tmp_path: Path) -> None:
    store = Slow(0.05)
    writer = make_writer(store, tmp_path, batch_size=20)
    store.gate.clear()  # the database hangs: the queue fills up behind the first write
    for n in range(200):
        writer.submit(record(n))
    store.gate.set()
    assert writer.flush(20)
    writer.close()
    assert [q.id for q in store.questions(*EVER)] == [record(n).id for n in range(200)]
    # While more than a batch was waiting, each write was followed by a pause as long as it.
    catching_up = gaps(store.writes)[:5]
    assert len(catching_up) == 5 and min(catching_up) >= 0.04, catching_up
    assert writer.stats.rests >= 5


def test_no_rest_without_a_backlog(tmp_path: Path) -> None:
    store = Slow(0.02)
    writer = make_writer(store, tmp_path, batch_size=20)
    for n in range(19):  # never a batch's worth waiting
        writer.submit(record(n))
        time.sleep(0.005)
    assert writer.flush(10)
    writer.close()
    assert len(store.questions(*EVER)) == 19 and writer.stats.rests == 0


def test_draining_the_spool_rests_between_batches_and_not_when_stopping(tmp_path: Path) -> None:
    store = Slow(0.05)
    writer = make_writer(store, tmp_path, batch_size=20)
    store.down.set()
    for n in range(100):
        writer.submit(record(n))
    assert writer.flush(10) and writer.backlog == 100
    store.down.clear()
    deadline = time.monotonic() + 20
    while writer.backlog and time.monotonic() < deadline:
        time.sleep(0.02)
    assert writer.backlog == 0 and len(store.questions(*EVER)) == 100
    drained = [w for w in store.writes if w[1] - w[0] >= 0.05][-5:]
    assert min(gaps(drained)) >= 0.04, gaps(drained)
    # Stopping with a backlog: written at once, no pauses.
    store.down.set()
    for n in range(100, 200):
        writer.submit(record(n))
    assert writer.flush(10)
    store.down.clear()
    writer._next_retry = float("inf")  # only close() drains now
    rests = writer.stats.rests
    writer.close(20)
    assert len(store.questions(*EVER)) == 200 and writer.stats.rests == rests


class Killed(BaseException):
    """What no ``except Exception`` catches: stands for anything that ends the writer thread."""


class Killing(MemoryQueryLog):
    """A store whose next write ends the writer thread, once per :meth:`arm`."""

    def __init__(self) -> None:
        super().__init__()
        self.armed = threading.Event()

    def write(self, records: Sequence[LogRecord]) -> None:
        if self.armed.is_set():
            self.armed.clear()
            raise Killed()
        super().write(records)


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


def test_a_writer_thread_that_stops_is_started_again_and_loses_nothing(tmp_path: Path) -> None:
    store = Killing()
    writer = make_writer(store, tmp_path, restart_seconds=0.05)
    for n in range(10):
        writer.submit(record(n))
    assert writer.flush(5)
    store.armed.set()
    for n in range(10, 50):
        writer.submit(record(n))
    assert wait_for(lambda: writer.stats.restarts == 1)
    assert writer.flush(10) and writer.running
    writer.close()
    assert [q.id for q in store.questions(*EVER)] == [record(n).id for n in range(50)]
    assert writer.stats.dead_letters == 0


def test_a_batch_that_keeps_stopping_the_writer_is_set_aside(tmp_path: Path) -> None:
    class Poisoned(MemoryQueryLog):
        def write(self, records: Sequence[LogRecord]) -> None:
            if any(r.id == record(3).id for r in records):
                raise Killed()
            super().write(records)

    store = Poisoned()
    writer = make_writer(store, tmp_path, restart_seconds=0.01, batch_size=1)
    for n in range(6):
        writer.submit(record(n))
    assert wait_for(lambda: writer.stats.dead_letters == 1)
    assert writer.flush(10)
    writer.close()
    assert [q.id for q in store.questions(*EVER)] == [record(n).id for n in (0, 1, 2, 4, 5)]
    [kept] = DeadLetters(tmp_path / "dead-letters.jsonl").path.read_text().splitlines()
    assert json.loads(kept)["id"] == record(3).id


@pytest.mark.parametrize("down", [False, True])
def test_a_record_no_store_can_take_goes_to_the_dead_letters(tmp_path: Path, down: bool) -> None:
    store = SqlQueryLog(f"sqlite:///{tmp_path / 'log.db'}") if not down else Flaky()
    if isinstance(store, SqlQueryLog):
        store.upgrade()
    else:
        store.down.set()
    writer = make_writer(store, tmp_path, batch_size=50)
    bad = replace(record(1), text="should I join a facebook group \udcff\udcfe")
    for n in range(3):
        writer.submit(bad if n == 1 else record(n))
    assert writer.flush(5) and writer.running
    writer.submit(record(3))
    assert writer.flush(5) and writer.running
    assert writer.stats.dead_letters == 1
    [line] = (tmp_path / "dead-letters.jsonl").read_text(encoding="ascii").splitlines()
    kept = json.loads(line)
    assert kept["id"] == bad.id and kept["text"] == bad.text and kept["reason"]
    if down:
        assert Spool(tmp_path / "spool.jsonl").count() == 3
        store.down.clear()  # type: ignore[union-attr]
        assert wait_for(lambda: writer.backlog == 0)
    writer.close()
    assert [q.id for q in store.questions(*EVER)] == [record(n).id for n in (0, 2, 3)]
    if isinstance(store, SqlQueryLog):
        store.engine.dispose()
