"""Catalogue cases F46, F49, G52 and G54 against real files, processes and databases."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot import Outcome, Query, load_settings
from bot.querylog.records import LogRecord, MemoryQueryLog
from bot.querylog.spool import Spool
from bot.querylog.sql import SqlQueryLog
from bot.querylog.writer import LogWriter
from bot.service import Service
from tests.paths import ROOT

EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
RAW_IDS = [
    "U024BE7LH",
    "W012A3CDE",
    "T061EG9R6",
    "C0LAN2Q65",
    "29:1a2b3c4d5e6f",
    "f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
]


def test_no_raw_id_reaches_the_database_or_the_spool(tmp_path: Path) -> None:
    settings = load_settings(
        env="development", data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'log.db'}"
    )
    with Service.start(settings) as service:
        for n, raw in enumerate(RAW_IDS):
            answer = service.advisor.handle(
                Query(
                    "should I join this facebook group?",
                    channel="teams" if n % 2 else "slack",
                    user_id=raw,
                    workspace_id=RAW_IDS[(n + 1) % len(RAW_IDS)],
                    conversation_id=RAW_IDS[(n + 2) % len(RAW_IDS)],
                    delivery_id=f"delivery-{n}",
                )
            )
            service.advisor.feedback(answer.id, "slack", raw, helpful=True)
        service.advisor.handle(Query("", checklist="join-group", ticked=frozenset(), user_id=RAW_IDS[0]))
        assert service.writer.flush(5)
        service.writer.store = _Down()  # the rest waits in the spool
        service.advisor.handle(Query("hi", user_id=RAW_IDS[1], workspace_id=RAW_IDS[2]))
        service.writer.flush(5)
    key = (tmp_path / "pseudonym.key").read_bytes()
    blobs = [p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and p.name != "pseudonym.key"]
    assert any(b"should I join this facebook group?" in blob for blob in blobs)  # the scan sees the data
    assert not any(b"delivery-0" in blob for blob in blobs)
    for raw in RAW_IDS:
        assert not any(raw.encode() in blob for blob in blobs), raw
    assert not any(key in blob for blob in blobs)
    assert Spool(tmp_path / "spool.jsonl").count() == 1


class _Down(MemoryQueryLog):
    def write(self, records: Sequence[LogRecord]) -> None:
        raise ConnectionError("down")

    def ping(self) -> bool:
        return False


def test_a_stuck_database_does_not_hold_answers_and_loses_nothing(tmp_path: Path) -> None:
    class Stuck(MemoryQueryLog):
        """Every write blocks until released; counts the writes that returned."""

        def __init__(self) -> None:
            super().__init__()
            self.release = threading.Event()
            self.returned = 0

        def write(self, records: Sequence[LogRecord]) -> None:
            self.release.wait(60)
            super().write(records)
            self.returned += 1

    settings = load_settings(env="development", data_dir=tmp_path)
    with Service.start(settings) as service:
        stuck = Stuck()
        service.writer.store = stuck
        answers = [
            service.advisor.handle(Query("should I join this facebook group?", user_id="U1"))
            for _ in range(20)
        ]
        # Every answer is out while no write to the database has returned.
        assert [a.outcome for a in answers] == [Outcome.ANSWERED] * 20
        assert stuck.returned == 0 and service.writer.backlog > 0
        stuck.release.set()
        service.writer.flush(30)
        ever = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
        assert sorted(q.id for q in stuck.questions(*ever)) == sorted(a.id for a in answers)


CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from bot.querylog.writer import LogWriter
    from bot.querylog.records import MemoryQueryLog
    from bot.querylog.spool import Spool
    from tests.bot.querylog.test_logwriter import record

    class Down(MemoryQueryLog):
        def write(self, records):
            raise ConnectionError("down")

        def ping(self):
            return False

    spool = Spool(Path(sys.argv[1]))
    writer = LogWriter(Down(), spool, flush_seconds=0.01, retry_seconds=60)
    for n in range(int(sys.argv[2])):
        writer.submit(record(n))
    writer.flush(10)
    print("spooled", spool.count(), flush=True)
    time.sleep(60)
    """
)


def test_records_spooled_before_a_kill_are_written_once_after_restart(pg_url: str, tmp_path: Path) -> None:
    spool_path = tmp_path / "spool.jsonl"
    root = ROOT
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(spool_path), "40"],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "spooled 40"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)

    store = SqlQueryLog(pg_url)
    store.upgrade()
    for _ in range(2):  # a second restart finds nothing left to write twice
        writer = LogWriter(store, Spool(spool_path), flush_seconds=0.01)
        deadline = time.monotonic() + 10
        while writer.backlog and time.monotonic() < deadline:
            time.sleep(0.02)
        writer.close()
    rows = store.questions(*EVER)
    assert len(rows) == 40 and len({r.id for r in rows}) == 40
    assert Spool(spool_path).count() == 0
    store.engine.dispose()
