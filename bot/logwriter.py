"""Hands log records to the store on a background thread, in batches, so logging never slows
or fails an answer. When the store is unreachable, records wait in a bounded file spool and
are written, without duplicates, once it is back."""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass

from .querylog import LogRecord, QueryLog
from .spool import Spool

__all__ = ["LogWriter", "WriterStats"]

log = logging.getLogger(__name__)

# The longest pause between two writes while catching up on a backlog (seconds).
MAX_REST_SECONDS = 0.5


@dataclass
class WriterStats:
    written: int = 0
    spooled: int = 0
    failures: int = 0
    dropped: int = 0
    """Records refused because the spool was at its limit (counted, logged once per thousand)."""
    rests: int = 0
    """Pauses taken between writes while catching up on a backlog."""


class LogWriter:
    def __init__(
        self,
        store: QueryLog,
        spool: Spool,
        batch_size: int = 200,
        flush_seconds: float = 0.2,
        retry_seconds: float = 2.0,
        max_queue: int = 10_000,
        max_spool: int = 100_000,
    ) -> None:
        self.store = store
        self.spool = spool
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self.retry_seconds = retry_seconds
        self.max_spool = max_spool
        self.stats = WriterStats()
        self._queue: queue.Queue[LogRecord] = queue.Queue(max_queue)
        self._spooled = spool.count()
        self._next_retry = 0.0
        self._progress = threading.Condition()
        self._counters = threading.Lock()
        self._submitted = 0
        self._handled = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="advisor-log-writer", daemon=True)
        self._thread.start()

    @property
    def backlog(self) -> int:
        """Records not yet in the store: queued in memory plus waiting in the spool."""
        return self._queue.qsize() + self._spooled

    def submit(self, record: LogRecord) -> None:
        """Queue a record without blocking on the database; when the queue is full (a burst
        faster than the store), the record goes straight to the spool instead."""
        try:
            self._queue.put_nowait(record)
        except queue.Full:
            self._to_spool([record])
            return
        with self._progress:
            self._submitted += 1

    @property
    def submitted(self) -> int:
        """How many records were queued so far: a mark to pass to :meth:`durable`."""
        return self._submitted

    def durable(self, mark: int) -> bool:
        """True once every record queued before ``mark`` was taken was written or spooled
        (records are handled in the order they came)."""
        return self._handled >= mark

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything submitted so far was written (or spooled, if the store is down)."""
        with self._progress:
            target = self._submitted
            return self._progress.wait_for(lambda: self._handled >= target, timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued (to the store, or to the spool), then stop the thread."""
        self._stop.set()
        self._thread.join(timeout)

    def _take(self) -> list[LogRecord]:
        batch: list[LogRecord] = []
        try:
            batch.append(self._queue.get(timeout=self.flush_seconds))
            while len(batch) < self.batch_size:
                batch.append(self._queue.get_nowait())
        except queue.Empty:
            pass
        return batch

    def _run(self) -> None:
        while not (self._stop.is_set() and self._queue.empty()):
            batch = self._take()
            if self._spooled and time.monotonic() >= self._next_retry:
                self._drain()
            if batch:
                took = self._store(batch)
                with self._progress:
                    self._handled += len(batch)
                    self._progress.notify_all()
                if took is not None and self._queue.qsize() >= self.batch_size:
                    self._rest(took)
        if self._spooled:
            self._drain()

    def _store(self, batch: list[LogRecord]) -> float | None:
        """Write a batch, or spool it; how long the write took (None: spooled)."""
        if not self._spooled:
            try:
                started = time.monotonic()
                self.store.write(batch)
                self.stats.written += len(batch)
                return time.monotonic() - started
            except Exception as exc:  # noqa: BLE001 - any store failure means: keep it for later
                self._failed(exc)
        self._to_spool(batch)
        return None

    def _rest(self, took: float) -> None:
        """Catching up on a backlog (after the database was slow or away), rest as long as the
        last write took: the writer then takes at most half of its time writing, and leaves the
        process's other threads (the event loop first) and the database, which every replica
        is catching up with at once, room for the questions still coming. Not when stopping."""
        if not self._stop.is_set():
            self.stats.rests += 1
            self._stop.wait(min(took, MAX_REST_SECONDS))

    def _to_spool(self, batch: list[LogRecord]) -> None:
        with self._counters:
            room = max(self.max_spool - self._spooled, 0)
            keep, lost = batch[:room], batch[room:]
            self._spooled += len(keep)
            self.stats.spooled += len(keep)
            if lost:
                if self.stats.dropped % 1000 == 0:
                    log.error("log spool full (%d records): records are being dropped", self.max_spool)
                self.stats.dropped += len(lost)
        if keep:
            self.spool.append(keep)

    def _drain(self) -> None:
        try:
            with self.spool.draining() as records:
                took = 0.0
                for start in range(0, len(records), self.batch_size):
                    if start:
                        self._rest(took)
                    began = time.monotonic()
                    self.store.write(records[start : start + self.batch_size])
                    took = time.monotonic() - began
                self.stats.written += len(records)
            log.info("log spool drained: %d records written", len(records))
            with self._counters:
                # Records spilled while this drain ran are still waiting: count down, not to 0.
                self._spooled = max(self._spooled - len(records), 0)
        except Exception as exc:  # noqa: BLE001 - still down: try again later
            self._failed(exc)

    def _failed(self, exc: Exception) -> None:
        self.stats.failures += 1
        self._next_retry = time.monotonic() + self.retry_seconds
        log.warning("query log store unavailable (%s); records kept in the spool", type(exc).__name__)
