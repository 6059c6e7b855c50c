from __future__ import annotations

import asyncio

from adapters.tasks import Tasks


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
