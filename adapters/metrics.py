"""``GET /metrics`` in Prometheus' text format: questions by channel and outcome, answer
latency, the query log writer's backlog and failures, HTTP requests by route and status, and
how late the event loop runs (a stalled loop holds up every acknowledgement); a stall over
100 ms also logs the code the loop was stuck in."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
import time
import traceback
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from bot import Answer, Query
from bot.service import Service

__all__ = ["Metrics"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# The loop is woken this often (seconds) to see how late it wakes.
LAG_PROBE_SECONDS = 0.05
# A loop this late (seconds) gets the code it is stuck in logged, at most once per QUIET_SECONDS.
STALL_SECONDS = 0.1
QUIET_SECONDS = 10.0

log = logging.getLogger(__name__)


class StallWatch:
    """A thread that notices when the event loop stops taking turns and logs the stack the
    loop's thread is stuck in (code that blocks the loop is otherwise invisible): once per
    stall, and not again for ``QUIET_SECONDS``, since the metric counts them all."""

    def __init__(self, threshold: float = STALL_SECONDS, every: float = LAG_PROBE_SECONDS) -> None:
        self.threshold, self.every = threshold, every
        self.beat = time.monotonic()
        self._loop_thread = threading.get_ident()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="loop-stall-watch", daemon=True)

    def start(self) -> None:
        self._loop_thread = threading.get_ident()
        self.beat = time.monotonic()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        quiet_until = 0.0
        while not self._stop.wait(self.every / 2):
            now = time.monotonic()
            late = now - self.beat - self.every
            if late > self.threshold and now >= quiet_until:
                quiet_until = now + QUIET_SECONDS
                frame = sys._current_frames().get(self._loop_thread)
                stack = "".join(traceback.format_stack(frame)) if frame else "(no stack)"
                log.warning("event loop stalled over %.0f ms, in:\n%s", late * 1000, stack)


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
            self.loop_lag.observe(max(0.0, now - before - LAG_PROBE_SECONDS))

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
