"""Contexts written after the answer, not before it: for a store only this process uses (SQLite,
one process on one box), where the write would otherwise wait for the log writer's lock on the
answer's path.

A kept context is written by one background thread; until it is, this process reads it from
memory, so its next turn never misses it. Several keeps of one conversation before the write
make one write, of the newest. A write that fails is logged and dropped (a context is never worth
failing or holding an answer for); erasure and purging first wait for the writes before them.
"""

from __future__ import annotations

import logging
import queue
import threading
from datetime import datetime

from .store import Context, ContextStore

__all__ = ["WriteBehind"]

log = logging.getLogger(__name__)


class WriteBehind:
    def __init__(self, store: ContextStore, limit: int = 10_000) -> None:
        """``limit``: contexts waiting to be written at most; beyond it a context is not kept
        (the store is not keeping up, and the message after it is answered on its own)."""
        self.store = store
        self._pending: dict[str, Context] = {}
        self._lock = threading.Lock()
        self._queue: queue.Queue[str | None] = queue.Queue(limit)
        self._thread = threading.Thread(target=self._run, name="context-writer", daemon=True)
        self._thread.start()

    def recall(self, conversation: str, since: datetime) -> Context | None:
        with self._lock:
            waiting = self._pending.get(conversation)
        if waiting is not None:
            return waiting if waiting.at >= since else None
        return self.store.recall(conversation, since)

    def keep(self, conversation: str, context: Context) -> None:
        with self._lock:
            queued = conversation in self._pending
            self._pending[conversation] = context
        if queued:
            return
        try:
            self._queue.put_nowait(conversation)
        except queue.Full:
            with self._lock:
                self._pending.pop(conversation, None)
            log.warning("conversation contexts are written more slowly than they come; one not kept")

    def forget(self, user: str) -> int:
        self.flush()
        return self.store.forget(user)

    def purge(self, before: datetime) -> int:
        self.flush()
        return self.store.purge(before)

    def flush(self) -> None:
        """Wait until every context kept so far is written (or its write failed)."""
        self._queue.join()

    def close(self, timeout: float = 10.0) -> None:
        """Write what waits, then stop the thread (waiting ``timeout`` seconds at most: it is a
        daemon, and what it has not written by then is lost with the process)."""
        try:
            self._queue.put(None, timeout=timeout)
        except queue.Full:
            return
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            conversation = self._queue.get()
            try:
                if conversation is None:
                    return
                self._write(conversation)
            finally:
                self._queue.task_done()

    def _write(self, conversation: str) -> None:
        with self._lock:
            context = self._pending[conversation]
        try:
            self.store.keep(conversation, context)
        except Exception:  # noqa: BLE001 - the thread's one boundary: a lost context, not a lost thread
            log.warning("conversation context could not be kept", exc_info=True)
        with self._lock:
            if self._pending[conversation] is context:
                del self._pending[conversation]
                return
        self._requeue(conversation)

    def _requeue(self, conversation: str) -> None:
        """A newer context came while the last one was written: it waits its turn."""
        try:
            self._queue.put_nowait(conversation)
        except queue.Full:
            with self._lock:
                self._pending.pop(conversation, None)
