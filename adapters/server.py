"""One aiohttp application hosting every channel, plus health and readiness.

``GET /healthz`` says the process is alive and touches nothing else. ``GET /readyz`` says
whether to send traffic here: the knowledge base is loaded, the server is not shutting down,
and the query log can keep up (its writer thread runs, and the database answers or records
still fit in the spool: a database outage alone must not take every replica out of rotation).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.config import Settings, secret
from bot.service import Service

from .channel import Channel
from .metrics import Metrics
from .preflight import check_channels
from .ticketmetrics import TicketCards

if TYPE_CHECKING:
    from .slack import SlackAdapter
    from .teams import TeamsAdapter

__all__ = [
    "HTTP_LIMITS",
    "SLACK",
    "STATE",
    "TEAMS",
    "ServerState",
    "build_app",
    "graceful",
    "server_options",
]

log = logging.getLogger(__name__)
PING_EVERY = 2.0
# aiohttp's parser refuses header fields over 8 KiB with a bare 400; a little more room lets an
# absurd X-Slack-Request-Timestamp reach the signature check and get its proper 401.
HTTP_LIMITS = {"max_field_size": 16 * 1024, "max_line_size": 16 * 1024}


def server_options(settings: Settings) -> dict[str, Any]:
    """What aiohttp's server is started with: header limits, and how long a connection may sit
    idle or take to send its request's headers before it is closed."""
    return HTTP_LIMITS | {"keepalive_timeout": settings.idle_timeout_seconds}


@dataclass
class ServerState:
    service: Service
    settings: Settings
    channels: list[str] = field(default_factory=list)
    draining: bool = False
    _database_ok: bool = True
    _pinged_at: float = 0.0

    async def database_ok(self) -> bool:
        if time.monotonic() - self._pinged_at > PING_EVERY:
            self._pinged_at = time.monotonic()
            try:
                self._database_ok = await asyncio.wait_for(asyncio.to_thread(self.service.store.ping), 3)
            except TimeoutError:
                self._database_ok = False
        return self._database_ok


STATE = web.AppKey("state", ServerState)
SLACK: web.AppKey[SlackAdapter] = web.AppKey("slack")
TEAMS: web.AppKey[TeamsAdapter] = web.AppKey("teams")
METRICS = web.AppKey("metrics", Metrics)


async def _healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "alive"})


async def _readyz(request: web.Request) -> web.Response:
    state = request.app[STATE]
    writer = state.service.writer
    database = await state.database_ok()
    spool_room = writer.backlog < state.settings.spool_max_records * 0.9
    ready = not state.draining and writer.running and (database or spool_room)
    body: dict[str, Any] = {
        "ready": ready,
        "draining": state.draining,
        "knowledge": True,
        "database": database,
        "log_writer": writer.running,
        "log_backlog": writer.backlog,
        "channels": state.channels,
    }
    return web.json_response(body, status=200 if ready else 503)


def build_app(
    service: Service,
    settings: Settings,
    clock: Callable[[], float] = time.time,
    teams_credentials: Any = None,
    metrics_host: str = "127.0.0.1",
) -> web.Application:
    """The server; ``clock`` is what request time stamps and tokens are checked against;
    ``teams_credentials`` replaces how outbound Teams calls get their token (tests);
    ``metrics_host`` is where ``/metrics`` listens when it has a port of its own."""
    channels = check_channels(settings)
    metrics = Metrics(service)
    state = ServerState(service, settings, channels)

    @web.middleware
    async def close_when_draining(request: web.Request, handler: Any) -> web.StreamResponse:
        """While draining, every answer closes its connection, so a load balancer's pooled
        connections move to the other replicas before this one stops listening."""
        response: web.StreamResponse = await handler(request)
        if state.draining:
            response.force_close()
        return response

    app = web.Application(
        client_max_size=settings.max_body_bytes,
        middlewares=[metrics.middleware, close_when_draining, _body_deadline(settings)],
    )
    app[STATE] = state
    app[METRICS] = metrics
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/readyz", _readyz)
    if settings.metrics_port is None:
        app.router.add_get("/metrics", metrics.handle)
    else:
        _metrics_site(app, metrics, metrics_host, settings.metrics_port)
    app.on_startup.append(metrics.start)
    app.on_shutdown.append(metrics.stop)
    if settings.web_enabled:
        from .web import WebAdapter

        site: Channel = WebAdapter(service, settings)
        site.mount(app)
    cards = TicketCards()
    metrics.registry.register(cards)
    if "slack" in channels:
        from .slack import SlackAdapter

        slack = SlackAdapter(service, settings, clock)
        _mount(app, slack)
        cards.add("slack", slack.tickets.cards)
        if secret(settings.slack.app_token):
            _socket_mode(app, slack, secret(settings.slack.app_token))
        app[SLACK] = slack
    if "teams" in channels:
        from .teams import TeamsAdapter

        teams = TeamsAdapter(service, settings, teams_credentials, clock)
        _mount(app, teams)
        cards.add("teams", teams.tickets.cards)
        app[TEAMS] = teams
    return app


def _mount(app: web.Application, channel: Channel) -> None:
    channel.mount(app)


def _body_deadline(settings: Settings) -> Any:
    @web.middleware
    async def read_body_in_time(request: web.Request, handler: Any) -> web.StreamResponse:
        """A body is read whole within ``body_timeout_seconds`` before any handler sees it (they
        then get it from memory): a client sending it slowly, or half of it, would otherwise
        hold the connection and its handler for as long as it likes. Bodies declared over the
        limit are left to the handlers, which refuse them without reading."""
        declared = request.content_length
        if request.body_exists and (declared is None or declared <= settings.max_body_bytes):
            try:
                await asyncio.wait_for(request.read(), settings.body_timeout_seconds)
            except TimeoutError:
                response = web.json_response({"error": "request body not received in time"}, status=408)
                response.force_close()
                return response
            except web.HTTPRequestEntityTooLarge:
                return web.json_response({"error": "request body too large"}, status=413)
        answer: web.StreamResponse = await handler(request)
        return answer

    return read_body_in_time


def _metrics_site(app: web.Application, metrics: Metrics, host: str, port: int) -> None:
    """``/metrics`` alone on a port of its own, for Prometheus inside the cluster: the main port
    is what the Ingress exposes to the internet."""
    runners: list[web.AppRunner] = []

    async def start(_app: web.Application) -> None:
        side = web.Application()
        side.router.add_get("/metrics", metrics.handle)
        runner = web.AppRunner(side, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        runners.append(runner)

    async def stop(_app: web.Application) -> None:
        for runner in runners:
            await runner.cleanup()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)


def _socket_mode(app: web.Application, slack: Any, app_token: str) -> None:
    """Slack over a WebSocket, for workspaces that cannot expose a URL. The handler opens its
    own HTTP session, so it is made inside the running loop."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    handlers: list[AsyncSocketModeHandler] = []

    async def start_socket_mode(_app: web.Application) -> None:
        handler = AsyncSocketModeHandler(slack.bolt, app_token)
        handlers.append(handler)
        await handler.connect_async()  # type: ignore[no-untyped-call]

    async def stop_socket_mode(_app: web.Application) -> None:
        for handler in handlers:
            await handler.close_async()  # type: ignore[no-untyped-call]

    app.on_startup.append(start_socket_mode)
    app.on_cleanup.append(stop_socket_mode)


def graceful(app: web.Application) -> None:
    """On SIGTERM or SIGINT: /readyz turns 503 at once while requests are still answered for
    ``drain_seconds``; then the server stops taking connections and gives in-flight requests
    ``shutdown_seconds``; the channels drain their background answers and the query log writer
    flushes on cleanup."""
    import signal

    state = app[STATE]

    async def install(_app: web.Application) -> None:
        loop = asyncio.get_running_loop()

        def begin() -> None:
            if state.draining:
                return
            state.draining = True
            log.info("shutting down: not ready, draining for %.0f s", state.settings.drain_seconds)
            loop.call_later(state.settings.drain_seconds, _stop)

        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, begin)

    app.on_startup.append(install)


def _stop() -> None:
    raise web.GracefulExit()
