"""Contexts written after the answer (SQLite, one process): the answer never waits for the
write, this process reads what still waits, and erasure waits for the writes before it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.conversation.behind import WriteBehind
from bot.conversation.sql import SqlContextStore
from bot.conversation.store import Context, MemoryContextStore
from bot.querylog.sql import SqlQueryLog

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
SINCE = NOW - timedelta(minutes=30)
KEY = "c" * 32


@pytest.fixture
def log(tmp_path: Path) -> Iterator[SqlQueryLog]:
    sql = SqlQueryLog(f"sqlite:///{tmp_path / 'log.db'}")
    sql.upgrade()
    yield sql
    sql.engine.dispose()


def test_a_kept_context_is_read_back_while_the_database_is_busy(log: SqlQueryLog) -> None:
    store = SqlContextStore(log.engine, log.write_lock)
    behind = WriteBehind(store)
    context = Context("recruitment", NOW, network="linkedin", user="u" * 32)
    with log.write_lock:  # the log writer holds the database
        behind.keep(KEY, context)
        assert behind.recall(KEY, SINCE) == context
        assert store.recall(KEY, SINCE) is None
    behind.flush()
    assert store.recall(KEY, SINCE) == context
    behind.close()


def test_keeps_that_wait_make_one_write_of_the_newest(log: SqlQueryLog) -> None:
    written: list[Context] = []

    class Counting(SqlContextStore):
        def keep(self, conversation: str, context: Context) -> None:
            written.append(context)
            super().keep(conversation, context)

    store = Counting(log.engine, log.write_lock)
    behind = WriteBehind(store)
    first = Context("recruitment", NOW)
    with log.write_lock:
        behind.keep("a" * 32, first)
        for minute in range(1, 6):
            behind.keep(KEY, Context("join-groups", NOW + timedelta(minutes=minute), network="facebook"))
    behind.flush()
    newest = Context("join-groups", NOW + timedelta(minutes=5), network="facebook")
    assert store.recall(KEY, SINCE) == newest
    assert written.count(first) == 1
    assert [c for c in written if c.topic == "join-groups"] in ([newest], [written[1], newest])
    assert len(written) <= 3
    behind.close()


def test_a_write_that_fails_loses_that_context_only(caplog: pytest.LogCaptureFixture) -> None:
    class Flaky(MemoryContextStore):
        fail = True

        def keep(self, conversation: str, context: Context) -> None:
            if self.fail:
                self.fail = False
                raise OSError("disk I/O error")
            super().keep(conversation, context)

    store = Flaky()
    behind = WriteBehind(store)
    behind.keep(KEY, Context("recruitment", NOW))
    behind.flush()
    assert behind.recall(KEY, SINCE) is None
    assert "could not be kept" in caplog.text
    behind.keep(KEY, Context("install-apps", NOW, app="hootsuite"))
    behind.flush()
    assert behind.recall(KEY, SINCE) == Context("install-apps", NOW, app="hootsuite")
    behind.close()


def test_forgetting_a_person_waits_for_their_contexts_to_be_written(log: SqlQueryLog) -> None:
    store = SqlContextStore(log.engine, log.write_lock)
    behind = WriteBehind(store)
    forgotten: list[int] = []
    with log.write_lock:
        behind.keep(KEY, Context("recruitment", NOW, user="u" * 32))
        behind.keep("d" * 32, Context("recruitment", NOW, user="v" * 32))
        eraser = threading.Thread(target=lambda: forgotten.append(behind.forget("u" * 32)))
        eraser.start()
    eraser.join(30)
    assert forgotten == [1]
    assert behind.recall(KEY, SINCE) is None and store.recall(KEY, SINCE) is None
    assert store.recall("d" * 32, SINCE) is not None
    behind.close()


def test_closing_writes_what_waits(log: SqlQueryLog) -> None:
    store = SqlContextStore(log.engine, log.write_lock)
    behind = WriteBehind(store)
    with log.write_lock:
        for n in range(20):
            behind.keep(f"{n:032d}", Context("recruitment", NOW))
    behind.close()
    assert all(store.recall(f"{n:032d}", SINCE) is not None for n in range(20))


def test_beyond_its_limit_a_context_is_not_kept_and_nothing_waits_forever(log: SqlQueryLog) -> None:
    store = SqlContextStore(log.engine, log.write_lock)
    behind = WriteBehind(store, limit=2)
    with log.write_lock:
        for n in range(6):
            behind.keep(f"{n:032d}", Context("recruitment", NOW))
    behind.flush()
    kept = [n for n in range(6) if behind.recall(f"{n:032d}", SINCE) is not None]
    assert 2 <= len(kept) < 6
    assert all(store.recall(f"{n:032d}", SINCE) is not None for n in kept)
    behind.close()
