"""The batcher: concurrent calls share batches, each gets its own result, errors reach all."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from bot.matching.batching import Batcher


def test_a_lone_call_is_one_batch_of_one() -> None:
    seen: list[list[int]] = []

    def run(items: Sequence[int]) -> list[int]:
        seen.append(list(items))
        return [i * 2 for i in items]

    batcher = Batcher(run)
    assert batcher(21) == 42
    assert seen == [[21]]


def test_calls_waiting_together_share_a_batch_and_get_their_own_results() -> None:
    entered, release = threading.Event(), threading.Event()
    seen: list[list[int]] = []

    def run(items: Sequence[int]) -> list[int]:
        seen.append(list(items))
        if len(seen) == 1:
            entered.set()
            assert release.wait(10)
        return [i * 10 for i in items]

    batcher = Batcher(run, max_batch=4)
    results: dict[int, int] = {}

    def call(i: int) -> None:
        results[i] = batcher(i)

    first = threading.Thread(target=call, args=(0,))
    first.start()
    assert entered.wait(10)
    others = [threading.Thread(target=call, args=(i,)) for i in range(1, 7)]
    for t in others:
        t.start()
    # All six are queued behind the running batch before it is let go.
    while True:
        with batcher._ready:
            if len(batcher._waiting) == 6:
                break
    release.set()
    for t in [first, *others]:
        t.join(10)
    assert results == {i: i * 10 for i in range(7)}
    assert seen[0] == [0]
    assert sorted(i for batch in seen[1:] for i in batch) == list(range(1, 7))
    assert all(len(batch) <= 4 for batch in seen) and len(seen) == 3


def test_an_error_reaches_every_caller_of_its_batch_and_the_next_batch_runs() -> None:
    calls = 0

    def run(items: Sequence[str]) -> list[str]:
        nonlocal calls
        calls += 1
        if "bad" in items:
            raise ValueError("bad item")
        return [s.upper() for s in items]

    batcher = Batcher(run)
    with pytest.raises(ValueError, match="bad item"):
        batcher("bad")
    assert batcher("good") == "GOOD"
    assert calls == 2


def test_a_run_that_returns_the_wrong_number_of_results_fails_loudly() -> None:
    batcher: Batcher[int, int] = Batcher(lambda items: [])
    with pytest.raises(RuntimeError, match="gave 0 results"):
        batcher(1)
