from __future__ import annotations

import asyncio

from adapters.tasks import Batched, ClaimDeadline, Tasks, Turnstile


def test_slots_bound_the_work_while_other_requests_keep_their_turns() -> None:
    async def scenario() -> tuple[int, int, int, int]:
        tasks = Tasks(limit=100, concurrency=3)
        inside = peak = 0

        async def answer() -> None:
            nonlocal inside, peak
            async with tasks.slot:
                inside += 1
                peak = max(peak, inside)
                for _ in range(20):
                    await asyncio.sleep(0)
                inside -= 1

        for n in range(60):
            tasks.spawn(answer(), f"answer-{n}")
        # Work parked on a slot takes no turns: the answers running are the only ones stepping.
        for _ in range(5):
            await asyncio.sleep(0)
        stepping = inside
        accepted = len(tasks)
        left = await tasks.drain(timeout=10)
        return peak, stepping, accepted, left

    peak, stepping, accepted, left = asyncio.run(scenario())
    assert peak == 3 and stepping == 3
    assert accepted == 60
    assert left == 0


def test_full_counts_work_waiting_for_a_slot() -> None:
    async def scenario() -> tuple[bool, bool]:
        tasks = Tasks(limit=4, concurrency=1)
        gate = asyncio.Event()

        async def answer() -> None:
            async with tasks.slot:
                await gate.wait()

        for n in range(3):
            tasks.spawn(answer(), f"answer-{n}")
        before = tasks.full()
        tasks.spawn(answer(), "answer-3")
        after = tasks.full()
        gate.set()
        await tasks.drain(timeout=5)
        return before, after

    assert asyncio.run(scenario()) == (False, True)


def test_items_asked_for_during_a_call_go_together_in_the_next() -> None:
    async def scenario() -> tuple[list[list[int]], list[int], list[int]]:
        calls: list[list[int]] = []
        gate = asyncio.Event()

        async def double(items: list[int]) -> list[int]:
            calls.append(items)
            await gate.wait()
            return [2 * n for n in items]

        batched: Batched[int, int] = Batched(double, limit=4)
        first = asyncio.ensure_future(batched(0))
        await asyncio.sleep(0)
        rest = [asyncio.ensure_future(batched(n)) for n in range(1, 7)]
        await asyncio.sleep(0)
        gate.set()
        results = [await first] + [await r for r in rest]
        # Alone again: goes at once, in a call of its own.
        alone = await batched(9)
        return calls, results, [alone]

    calls, results, alone = asyncio.run(scenario())
    assert calls == [[0], [1, 2, 3, 4], [5, 6], [9]]
    assert results == [0, 2, 4, 6, 8, 10, 12]
    assert alone == [18]


def test_a_failed_call_fails_its_items_only() -> None:
    async def scenario() -> tuple[list[str], int]:
        async def claim(items: list[int]) -> list[int]:
            await asyncio.sleep(0)
            if 13 in items:
                raise ConnectionError("database away")
            return items

        batched: Batched[int, int] = Batched(claim)
        outcomes = []
        for item in (13, 1):
            try:
                outcomes.append(str(await batched(item)))
            except ConnectionError as exc:
                outcomes.append(str(exc))
        return outcomes, batched.calls

    outcomes, calls = asyncio.run(scenario())
    assert outcomes == ["database away", "1"]
    assert calls == 2


def test_a_claim_slower_than_its_deadline_answers_anyway() -> None:
    async def scenario() -> tuple[bool, bool, bool, int, bool]:
        deadline = ClaimDeadline(0.1, "test")
        finished = asyncio.Event()

        async def claim(verdict: bool, seconds: float) -> bool:
            await asyncio.sleep(seconds)
            finished.set()
            return verdict

        fast_no = await deadline(claim(False, 0.0))
        finished.clear()
        slow_no = await deadline(claim(False, 0.5))
        still_running = not finished.is_set()
        await asyncio.wait_for(finished.wait(), 2)  # the claim itself carried on
        fast_yes = await deadline(claim(True, 0.0))
        return fast_no, slow_no, fast_yes, deadline.late, still_running

    fast_no, slow_no, fast_yes, late, still_running = asyncio.run(scenario())
    assert (fast_no, slow_no, fast_yes) == (False, True, True)
    assert late == 1 and still_running


def test_a_batch_of_answers_goes_on_one_per_turn_of_the_loop() -> None:
    """Twenty answers woken by the same claim batch: through the turnstile each starts in a turn
    of the event loop of its own (network events are handled between them); without it, all in
    one turn."""

    async def scenario(turnstile: Turnstile | None) -> list[int]:
        turns, started = 0, []
        settled = asyncio.get_running_loop().create_future()

        async def count_turns() -> None:
            nonlocal turns
            while True:
                await asyncio.sleep(0)
                turns += 1

        async def answer() -> None:
            await settled
            if turnstile is not None:
                await turnstile()
            started.append(turns)

        counter = asyncio.create_task(count_turns())
        answers = [asyncio.create_task(answer()) for _ in range(20)]
        await asyncio.sleep(0)
        settled.set_result(True)
        await asyncio.gather(*answers)
        counter.cancel()
        return started

    assert len(set(asyncio.run(scenario(Turnstile())))) == 20
    assert len(set(asyncio.run(scenario(None)))) == 1
