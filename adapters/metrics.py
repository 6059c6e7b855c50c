"""``GET /metrics`` in Prometheus' text format: questions by channel and outcome, answer
latency, the query log writer's backlog and failures, HTTP requests by route and status, and
how late the event loop runs (a stalled loop holds up every acknowledgement); a stall over
100 ms also logs the code the loop was stuck in and where the time went (running, waiting for a
CPU, other threads, the garbage collector)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Awaitable, Callable, Iterator

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from bot import Answer, Query
from bot.querylog.writer import LogWriter
from bot.service import Service

__all__ = ["Metrics"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# The loop is woken this often (seconds) to see how late it wakes.
LAG_PROBE_SECONDS = 0.05
# A loop this late (seconds) gets the code it is stuck in logged, at most once per QUIET_SECONDS.
STALL_SECONDS = 0.1
QUIET_SECONDS = 10.0
# Scheduler samples and garbage collections kept to account for a stall's time.
SAMPLES = 200

log = logging.getLogger(__name__)


class StallWatch:
    """A thread that notices when the event loop stops taking turns and logs the stack the
    loop's thread is stuck in (code that blocks the loop is otherwise invisible): once per
    stall, and not again for ``QUIET_SECONDS``, since the metric counts them all.

    The report also says where the stall's time went, so that a blocking call can be told from
    a starved process: how long the loop's thread ran on a CPU, how long it waited for one
    (Linux's per-thread scheduler figures; other systems leave these out), and how long the
    garbage collector ran in that time (on any thread: it holds every thread up). The rest the
    thread was blocked: in a call that waits, or for the interpreter lock another thread held."""

    def __init__(self, threshold: float = STALL_SECONDS, every: float = LAG_PROBE_SECONDS) -> None:
        self.threshold, self.every = threshold, every
        self.beat = time.monotonic()
        self._loop_thread = threading.get_ident()
        self._schedstat: int | None = None
        # (when, ran, waited for a CPU, CPU time of the other threads by name), seconds,
        # sampled by the watching thread
        self._sched: deque[tuple[float, float, float, dict[str, float]]] = deque(maxlen=SAMPLES)
        self._gc_started = 0.0
        # (started, ended) of recent garbage collections
        self._collections: deque[tuple[float, float]] = deque(maxlen=SAMPLES)
        self._quiet_until = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="loop-stall-watch", daemon=True)

    def start(self) -> None:
        self._loop_thread = threading.get_ident()
        try:  # Linux: the loop thread's time on a CPU and waiting for one, re-read in place
            self._schedstat = os.open(f"/proc/self/task/{threading.get_native_id()}/schedstat", os.O_RDONLY)
        except OSError:
            self._schedstat = None
        self.beat = time.monotonic()
        gc.callbacks.append(self._gc)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        if self._schedstat is not None:
            os.close(self._schedstat)
            self._schedstat = None
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(self._gc)

    def _gc(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = time.monotonic()
        else:
            self._collections.append((self._gc_started, time.monotonic()))
            self._gc_started = 0.0

    def _sample(self, now: float) -> None:
        if self._schedstat is None:
            return
        try:
            ran, waited, _slices = os.pread(self._schedstat, 128, 0).split()
        except (OSError, ValueError):
            self._schedstat = None
            return
        others = {}
        for thread in threading.enumerate():
            if thread.ident is None or thread.ident in (self._loop_thread, threading.get_ident()):
                continue
            with contextlib.suppress(OSError, ValueError):
                others[thread.name] = time.clock_gettime(time.pthread_getcpuclockid(thread.ident))
        self._sched.append((now, int(ran) / 1e9, int(waited) / 1e9, others))

    def account(self, since: float, now: float) -> str:
        """Where the time from about ``since`` to ``now`` went, as far as this process can tell
        (the window starts at the last scheduler sample before ``since``)."""
        parts = []
        samples = list(self._sched)  # a copy: the watching thread appends meanwhile
        before = [s for s in samples if s[0] <= since]
        if before and samples[-1][0] > since:
            start, end = before[-1], samples[-1]
            since, now = start[0], end[0]
            parts.append(f"its thread ran {(end[1] - start[1]) * 1000:.0f} ms")
            parts.append(f"waited {(end[2] - start[2]) * 1000:.0f} ms for a CPU")
            others = sorted(
                ((cpu - start[3].get(name, 0.0), name) for name, cpu in end[3].items()),
                reverse=True,
            )
            busy = [f"{name} {cpu * 1000:.0f} ms" for cpu, name in others[:3] if cpu >= 0.001]
            parts.append(f"other threads ran: {', '.join(busy) or 'none'}")
        collections = list(self._collections)
        if self._gc_started:  # one under way
            collections.append((self._gc_started, now))
        collected = sum(max(0.0, min(ended, now) - max(started, since)) for started, ended in collections)
        parts.append(f"garbage collection ran {collected * 1000:.0f} ms")
        return f"of the last {(now - since) * 1000:.0f} ms: " + ", ".join(parts)

    def _run(self) -> None:
        while not self._stop.wait(self.every / 2):
            now = time.monotonic()
            self._sample(now)
            beat = self.beat
            late = now - beat - self.every
            if late > self.threshold and now >= self._quiet_until:
                self._quiet_until = now + QUIET_SECONDS
                frame = sys._current_frames().get(self._loop_thread)
                stack = "".join(traceback.format_stack(frame)) if frame else "(no stack)"
                log.warning(
                    "event loop stalled over %.0f ms (%s), in:\n%s",
                    late * 1000,
                    self.account(beat, now),
                    stack,
                )

    def ran_late(self, since: float, now: float, late: float) -> None:
        """The loop's own probe woke ``late`` seconds late: a stall this thread did not see while
        it lasted (it waited for the interpreter lock too) is logged afterwards, without a stack."""
        if late > self.threshold and now >= self._quiet_until:
            self._quiet_until = now + QUIET_SECONDS
            log.warning(
                "event loop ran %.0f ms late (%s); no stack: the stall was over when seen",
                late * 1000,
                self.account(since, now),
            )


class WriterHealth:
    """Whether the query log writer is running, how often it was restarted and how many records
    it set aside as dead letters, read from the writer when scraped."""

    def __init__(self, writer: LogWriter) -> None:
        self.writer = writer

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "advisor_log_writer_up",
            "1 while the query log writer thread runs",
            value=int(self.writer.running),
        )
        yield CounterMetricFamily(
            "advisor_log_writer_restarts",
            "Times the query log writer thread stopped and was started again",
            value=self.writer.stats.restarts,
        )
        yield CounterMetricFamily(
            "advisor_log_dead_letters",
            "Log records the database refused one by one, kept in the dead-letter file",
            value=self.writer.stats.dead_letters,
        )


class Metrics:
    def __init__(self, service: Service) -> None:
        self.registry = CollectorRegistry()
        self.questions = Counter(
            "advisor_questions",
            "Questions answered, by channel and outcome",
            ["channel", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "advisor_answer_latency_seconds",
            "Time to build an answer in the core",
            buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5),
            registry=self.registry,
        )
        self.requests = Counter(
            "advisor_http_requests",
            "HTTP requests by route and status",
            ["route", "status"],
            registry=self.registry,
        )
        writer = service.writer
        Gauge(
            "advisor_log_backlog", "Log records not yet in the database", registry=self.registry
        ).set_function(lambda: writer.backlog)
        Gauge(
            "advisor_log_failures", "Failed writes to the query log database", registry=self.registry
        ).set_function(lambda: writer.stats.failures)
        Gauge(
            "advisor_log_dropped", "Log records dropped at the spool's limit", registry=self.registry
        ).set_function(lambda: writer.stats.dropped)
        self.registry.register(WriterHealth(writer))
        self.loop_lag = Histogram(
            "advisor_event_loop_lag_seconds",
            "How late the event loop ran a timer: a stall here delays every request",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0),
            registry=self.registry,
        )
        self._probe: asyncio.Task[None] | None = None
        self.watch = StallWatch()
        service.advisor.observers.append(self.observe)

    async def start(self, _app: web.Application) -> None:
        self._probe = asyncio.get_running_loop().create_task(self._watch_loop(), name="loop-lag")
        self.watch.start()

    async def stop(self, _app: web.Application) -> None:
        if self._probe is not None:
            self._probe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._probe
        self.watch.stop()

    async def _watch_loop(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(LAG_PROBE_SECONDS)
            now = self.watch.beat = time.monotonic()
            late = now - before - LAG_PROBE_SECONDS
            self.loop_lag.observe(max(0.0, late))
            self.watch.ran_late(before, now, late)

    def observe(self, query: Query, answer: Answer) -> None:
        self.questions.labels(query.channel, answer.outcome.value).inc()
        self.latency.observe(answer.latency_ms / 1000.0)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        route = (
            request.match_info.route.resource.canonical if request.match_info.route.resource else "unmatched"
        )
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            self.requests.labels(route, str(exc.status)).inc()
            raise
        self.requests.labels(route, str(response.status)).inc()
        return response

    async def handle(self, _request: web.Request) -> web.Response:
        body = generate_latest(self.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
