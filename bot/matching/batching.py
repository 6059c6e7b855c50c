"""Calls from several threads that arrive together are served by one call over the batch.

The sentence encoder costs about the same for eight short questions as for one, so when the
adapters' answering threads ask at the same moment, the first of them runs the batch for all
that are waiting and the rest wait for their results. Nothing waits on a timer: a question
alone is answered at once, and a burst is answered in batches as large as it needs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

__all__ = ["Batcher"]

T = TypeVar("T")
R = TypeVar("R")


class _Slot(Generic[T, R]):
    __slots__ = ("error", "finished", "item", "result")

    def __init__(self, item: T) -> None:
        self.item = item
        self.finished = False
        self.result: R | None = None
        self.error: BaseException | None = None


class Batcher(Generic[T, R]):
    """``batcher(item)`` returns ``run([item, ...])[i]`` for its item, batched with the items
    of other threads waiting at the same time (at most ``max_batch`` a call).

    One batch runs at a time; when it ends, a waiting thread whose item is not served yet
    runs the next one with everything that queued meanwhile (oldest first).
    """

    def __init__(self, run: Callable[[Sequence[T]], Sequence[R]], max_batch: int = 32) -> None:
        self._run = run
        self.max_batch = max_batch
        self._ready = threading.Condition()
        self._waiting: list[_Slot[T, R]] = []
        self._running = False
        self.batches = 0
        """How many calls of ``run`` served the items so far (for benchmarks)."""

    def __call__(self, item: T) -> R:
        slot: _Slot[T, R] = _Slot(item)
        with self._ready:
            self._waiting.append(slot)
            while not slot.finished:
                if self._running:
                    self._ready.wait()
                    continue
                batch = self._waiting[: self.max_batch]
                del self._waiting[: self.max_batch]
                self._running = True
                self._ready.release()
                try:
                    self._serve(batch)
                finally:
                    self._ready.acquire()
                    self._running = False
                    self.batches += 1
                    self._ready.notify_all()
        if slot.error is not None:
            raise slot.error
        return slot.result  # type: ignore[return-value]

    def _serve(self, batch: list[_Slot[T, R]]) -> None:
        try:
            results = self._run([s.item for s in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"a batch of {len(batch)} gave {len(results)} results")
            for slot, result in zip(batch, results, strict=True):
                slot.result = result
        except BaseException as exc:  # noqa: BLE001 - handed to every caller of the batch
            for slot in batch:
                slot.error = exc
        finally:
            for slot in batch:
                slot.finished = True
