"""Hands log records to the store on a background thread, in batches, so logging never slows
or fails an answer. When the store is unreachable, records wait in a bounded file spool and
are written, without duplicates, once it is back.

No single record stops the writer: when the store refuses a batch while it still answers, the
batch is written record by record and a record it refuses goes to the dead letters
(:mod:`bot.querylog.deadletters`), counted. If the thread stops anyway (an error nobody foresaw), it is
started again after a pause that grows while it keeps stopping, and takes up the batch it was
writing; :attr:`LogWriter.running` is False meanwhile, which makes the server not ready."""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass

from .deadletters import DeadLetters, dead_letters_beside
from .records import LogRecord, QueryLog
from .spool import Spool, is_writable

__all__ = ["LogWriter", "WriterStats"]

log = logging.getLogger(__name__)

# The longest pause between two writes while catching up on a backlog (seconds).
MAX_REST_SECONDS = 0.5
# The longest pause before starting a writer thread that keeps stopping (seconds).
MAX_RESTART_SECONDS = 30.0
# A batch that stopped the writer this many times goes to the dead letters.
FATAL_ATTEMPTS = 2


@dataclass
class WriterStats:
    written: int = 0
    spooled: int = 0
    failures: int = 0
    dropped: int = 0
    """Records refused because the spool was at its limit (counted, logged once per thousand)."""
    rests: int = 0
    """Pauses taken between writes while catching up on a backlog."""
    dead_letters: int = 0
    """Records the store refused one by one, set aside in the dead-letter file."""
    restarts: int = 0
    """Times the writer thread stopped and was started again."""


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
        restart_seconds: float = 1.0,
        dead_letters: DeadLetters | None = None,
    ) -> None:
        self.store = store
        self.spool = spool
        self.dead_letters = dead_letters or DeadLetters(dead_letters_beside(spool.path))
        self.restart_seconds = restart_seconds
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
        self._inflight: list[LogRecord] = []
        self._inflight_attempts = 0
        self._stops_in_a_row = 0
        self._restarting = threading.Lock()
        self._thread = self._start()

    def _start(self) -> threading.Thread:
        thread = threading.Thread(target=self._guarded, name="advisor-log-writer", daemon=True)
        thread.start()
        return thread

    @property
    def running(self) -> bool:
        """Whether the writer thread is alive (False from the moment it stops to its restart)."""
        return self._thread.is_alive()

    def supervise(self) -> bool:
        """Start the writer thread again if it stopped while there is work; True if it was."""
        with self._restarting:
            idle = self._stop.is_set() and self._queue.empty() and not self._inflight and not self._spooled
            if self._thread.is_alive() or idle:
                return False
            self._thread = self._start()
            self.stats.restarts += 1
            log.warning("query log writer started again (restart %d)", self.stats.restarts)
            return True

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
        self.supervise()
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

    def _guarded(self) -> None:
        try:
            self._run()
        except BaseException as exc:  # noqa: BLE001 - whatever stopped the thread, start it again
            self._stopped(exc)

    def _stopped(self, exc: BaseException) -> None:
        if self._inflight:
            self._inflight_attempts += 1
        self._stops_in_a_row += 1
        pause = 0.0 if self._stop.is_set() else self.restart_seconds * 2 ** (self._stops_in_a_row - 1)
        pause = min(pause, MAX_RESTART_SECONDS)
        log.error(
            "query log writer stopped (%s); starting it again in %.1f s",
            type(exc).__name__,
            pause,
            exc_info=exc,
        )
        timer = threading.Timer(pause, self.supervise)
        timer.daemon = True
        timer.start()

    def _done(self, count: int) -> None:
        with self._progress:
            self._handled += count
            self._progress.notify_all()

    def _run(self) -> None:
        while not (self._stop.is_set() and self._queue.empty() and not self._inflight):
            if self._inflight and self._inflight_attempts >= FATAL_ATTEMPTS:
                self._dead_letter(self._inflight, f"stopped the writer {self._inflight_attempts} times")
                self._done(len(self._inflight))
                self._inflight, self._inflight_attempts = [], 0
            # A batch taken before the thread stopped is written first (writes are idempotent).
            batch = self._inflight = self._inflight or self._take()
            if self._spooled and time.monotonic() >= self._next_retry:
                self._drain()
            if batch:
                took = self._store(batch)
                self._inflight, self._inflight_attempts, self._stops_in_a_row = [], 0, 0
                self._done(len(batch))
                if took is not None and self._queue.qsize() >= self.batch_size:
                    self._rest(took)
        if self._spooled:
            self._drain()

    def _store(self, batch: list[LogRecord]) -> float | None:
        """Write a batch, or spool it; how long the write took (None: spooled)."""
        if not self._spooled:
            try:
                started = time.monotonic()
                self._write(batch)
                return time.monotonic() - started
            except Exception as exc:  # noqa: BLE001 - any store failure means: keep it for later
                self._failed(exc)
        self._to_spool(batch)
        return None

    def _reachable(self) -> bool:
        try:
            return bool(self.store.ping())
        except Exception:  # noqa: BLE001 - a store that cannot say is not reachable
            return False

    def _write(self, batch: list[LogRecord]) -> None:
        """Write a batch; if the store refuses it while it answers, write it record by record
        and set aside what it refuses. Raises when the store is away."""
        try:
            self.store.write(batch)
            self.stats.written += len(batch)
            return
        except Exception:
            if not self._reachable():
                raise
        log.warning("query log store refused a batch of %d records; writing them one by one", len(batch))
        for record in batch:
            try:
                self.store.write([record])
                self.stats.written += 1
            except Exception as exc:
                if not self._reachable():
                    raise
                self._dead_letter([record], f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")

    def _dead_letter(self, records: list[LogRecord], reason: str) -> None:
        self.stats.dead_letters += len(records)
        try:
            self.dead_letters.add(records, reason)
        except OSError as exc:
            log.error("could not keep %d refused log records (%s): they are lost", len(records), exc)
            return
        log.error("%d log record(s) set aside in %s: %s", len(records), self.dead_letters.path, reason)

    def _rest(self, took: float) -> None:
        """Catching up on a backlog (after the database was slow or away), rest as long as the
        last write took: the writer then takes at most half of its time writing, and leaves the
        process's other threads (the event loop first) and the database, which every replica
        is catching up with at once, room for the questions still coming. Not when stopping."""
        if not self._stop.is_set():
            self.stats.rests += 1
            self._stop.wait(min(took, MAX_REST_SECONDS))

    def _to_spool(self, batch: list[LogRecord]) -> None:
        refused = [r for r in batch if not is_writable(r)]
        if refused:
            self._dead_letter(refused, "text that UTF-8 cannot encode")
            batch = [r for r in batch if is_writable(r)]
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
            try:
                self.spool.append(keep)
            except OSError as exc:
                log.error("log spool cannot be written (%s): %d records dropped", exc, len(keep))
                with self._counters:
                    self._spooled -= len(keep)
                    self.stats.dropped += len(keep)

    def _drain(self) -> None:
        try:
            with self.spool.draining() as records:
                took = 0.0
                for start in range(0, len(records), self.batch_size):
                    if start:
                        self._rest(took)
                    began = time.monotonic()
                    self._write(records[start : start + self.batch_size])
                    took = time.monotonic() - began
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
