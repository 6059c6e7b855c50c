"""The stall watch's report says where a stalled loop's time went: running code, waiting for a
CPU, the garbage collector, or blocked."""

from __future__ import annotations

import gc
import logging
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from adapters.metrics import StallWatch

LINUX = sys.platform.startswith("linux")


@pytest.fixture
def stall(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[Callable[[], None]], str]]:
    """Runs a function on this thread, as the loop's, without beating; returns the report."""
    watches: list[StallWatch] = []

    def run(block: Callable[[], None]) -> str:
        watch = StallWatch(threshold=0.1, every=0.02)
        watches.append(watch)
        with caplog.at_level(logging.WARNING, logger="adapters.metrics"):
            watch.start()
            time.sleep(0.05)
            watch.beat = time.monotonic()
            block()
            watch.stop()
        [report] = [r.getMessage() for r in caplog.records if "event loop stalled" in r.getMessage()]
        caplog.clear()
        return report.partition(", in:")[0]

    yield run
    for watch in watches:
        watch.stop()
    assert all(watch._gc not in gc.callbacks for watch in watches)


def figure(report: str, pattern: str) -> float:
    found = re.search(pattern, report)
    assert found, report
    return float(found.group(1))


def test_code_that_runs_shows_as_running(stall: Callable[[Callable[[], None]], str]) -> None:
    def spin() -> None:
        end = time.monotonic() + 0.3
        while time.monotonic() < end:
            pass

    report = stall(spin)
    assert figure(report, r"garbage collection ran (\d+) ms") < 50
    if LINUX:  # a spinning thread is running, or ready to and waiting for a CPU (a busy machine)
        window = figure(report, r"of the last (\d+) ms")
        ran, waited = figure(report, r"its thread ran (\d+) ms"), figure(report, r"waited (\d+) ms")
        assert ran + waited >= 0.6 * window and ran >= 10


def test_code_that_waits_shows_as_neither_running_nor_collecting(
    stall: Callable[[Callable[[], None]], str],
) -> None:
    report = stall(lambda: time.sleep(0.3))
    assert figure(report, r"garbage collection ran (\d+) ms") < 50
    if LINUX:
        assert figure(report, r"its thread ran (\d+) ms") < 50
        assert figure(report, r"waited (\d+) ms for a CPU") < 50


def test_the_garbage_collectors_time_is_counted(stall: Callable[[Callable[[], None]], str]) -> None:
    cycles = []
    for _ in range(200_000):
        node: list[object] = []
        node.append(node)
        cycles.append(node)

    def collect() -> None:
        end = time.monotonic() + 0.3
        while time.monotonic() < end:
            gc.collect()

    report = stall(collect)
    del cycles
    assert figure(report, r"garbage collection ran (\d+) ms") >= 60


def test_a_thread_that_holds_the_loop_up_is_named(stall: Callable[[Callable[[], None]], str]) -> None:
    def hog() -> None:
        end = time.monotonic() + 0.4
        while time.monotonic() < end:
            pass

    def wait_for_the_hog() -> None:
        hogging = threading.Thread(target=hog, name="hogging-thread")
        hogging.start()
        hogging.join()

    report = stall(wait_for_the_hog)
    if LINUX:
        hog = figure(report, r"other threads ran: hogging-thread (\d+) ms")  # named first
        assert hog >= 10 and figure(report, r"its thread ran (\d+) ms") < hog


def test_a_stall_the_watch_missed_is_logged_when_the_loop_sees_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    watch = StallWatch(threshold=0.1, every=0.02)
    with caplog.at_level(logging.WARNING, logger="adapters.metrics"):
        watch.start()
        try:
            time.sleep(0.1)
            now = time.monotonic()
            watch.ran_late(now - 0.09, now, 0.05)  # under the threshold: nothing
            watch.ran_late(now - 0.3, now, 0.25)
            watch.ran_late(now - 0.3, now, 0.25)  # within the quiet period
        finally:
            watch.stop()
    reports = [r.getMessage() for r in caplog.records]
    assert len(reports) == 1 and reports[0].startswith("event loop ran 250 ms late (of the last")
    assert "garbage collection ran" in reports[0]
