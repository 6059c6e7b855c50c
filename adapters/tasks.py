"""Work done after a request was acknowledged: bounded, tracked, and drained on shutdown."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Generic, TypeVar

__all__ = ["Batched", "ClaimDeadline", "Tasks", "TtlSet", "Turnstile"]

T = TypeVar("T")
R = TypeVar("R")

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


class Batched(Generic[T, R]):
    """One call of ``work`` for every item asked for while the previous call ran.

    Awaiting ``batched(item)`` gives ``work``'s result for that item. With no burst an item goes
    at once, alone; in a burst, items wait for the call in flight and then go together (at most
    ``limit`` at a time): one database round trip for many messages instead of one each. If
    ``work`` fails, every item of that call gets the exception.
    """

    def __init__(self, work: Callable[[list[T]], Awaitable[list[R]]], limit: int = 200) -> None:
        self.work = work
        self.limit = limit
        self.calls = 0
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._runner: asyncio.Task[None] | None = None

    async def __call__(self, item: T) -> R:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._waiting.append((item, future))
        if self._runner is None:
            self._runner = loop.create_task(self._run(), name="batched")
        return await future

    async def _run(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[: self.limit], self._waiting[self.limit :]
                self.calls += 1
                try:
                    results = await self.work([item for item, _ in batch])
                except Exception as exc:  # noqa: BLE001 - handed to each caller
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
        finally:
            self._runner = None


class ClaimDeadline:
    """Waits at most ``seconds`` for a claim's verdict (which replica answers a message); past
    it, True: answer anyway. A slow database must not hold up answers, and a rare double reply
    is better than none. The claim itself carries on, so the database still records it."""

    def __init__(self, seconds: float, what: str) -> None:
        self.seconds = seconds
        self.what = what
        self.late = 0

    async def __call__(self, claim: Awaitable[bool]) -> bool:
        try:
            return await asyncio.wait_for(asyncio.shield(claim), self.seconds)
        except TimeoutError:
            self.late += 1
            if self.late % 1000 == 1:
                log.warning(
                    "%s claims are taking over %g s (%d so far); answering without waiting",
                    self.what,
                    self.seconds,
                    self.late,
                )
            return True


class Turnstile:
    """``await turnstile()``: lets its callers through one per turn of the event loop.

    Claims settle in batches, so a batch's answers all wake in the same turn of the loop and,
    each with some milliseconds of rendering and sending to do, would hold it (and every
    acknowledgement behind it) for as long as all of them take. Through here, they start one
    per turn, with network events handled between them; so no more get through in a second
    than the loop takes turns."""

    def __init__(self) -> None:
        self._gate: asyncio.Lock | None = None

    async def __call__(self) -> None:
        if self._gate is None:
            self._gate = asyncio.Lock()
        async with self._gate:
            await asyncio.sleep(0)


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
