"""Work done after a request was acknowledged: bounded, tracked, and drained on shutdown."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

__all__ = ["Tasks", "TtlSet"]

log = logging.getLogger(__name__)


class Tasks:
    """Up to ``limit`` pieces of work accepted at once.

    ``slot`` bounds the part of each that needs the processor (claiming, matching, rendering) to
    ``concurrency`` at a time: waiting work is parked and takes no turns of the event loop, so a
    burst cannot queue the next acknowledgement behind hundreds of steps. Waiting on the network
    (delivery, pacing) happens outside the slot.
    """

    def __init__(self, limit: int, concurrency: int | None = None) -> None:
        self.limit = limit
        self.slot = asyncio.Semaphore(concurrency or limit)
        self._running: set[asyncio.Task[Any]] = set()

    def __len__(self) -> int:
        return len(self._running)

    def full(self) -> bool:
        return len(self._running) >= self.limit

    def spawn(self, work: Coroutine[Any, Any, Any], name: str) -> None:
        task = asyncio.get_running_loop().create_task(work, name=name)
        self._running.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._running.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())

    async def drain(self, timeout: float) -> int:
        """Wait for running work; returns how many tasks were still running at the deadline."""
        if not self._running:
            return 0
        _, pending = await asyncio.wait(set(self._running), timeout=timeout)
        return len(pending)


class TtlSet:
    """Keys seen recently (a delivery's id), forgotten after ``ttl`` seconds or past ``size``."""

    def __init__(self, ttl: float, size: int, clock: Any) -> None:
        self.ttl = ttl
        self.size = size
        self.clock = clock
        self._seen: dict[str, float] = {}

    def add(self, *keys: str) -> bool:
        """Remember ``keys``; True when none of them was seen before."""
        now = self.clock()
        if len(self._seen) > self.size:
            self._seen = {k: t for k, t in self._seen.items() if now - t < self.ttl}
        fresh = all(now - self._seen.get(k, -self.ttl) >= self.ttl for k in keys)
        for key in keys:
            self._seen[key] = now
        return fresh
