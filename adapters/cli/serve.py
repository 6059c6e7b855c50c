"""``advisor serve``: the server, its event loop and its start and stop."""

from __future__ import annotations

import asyncio
import gc
import logging
from typing import Annotated

import typer

from bot import AdvisorError
from bot.service import Service

from .app import app
from .common import fail, load


def _event_loop(choice: str) -> asyncio.AbstractEventLoop:
    """uvloop when chosen and installed, else Python's own loop (said once on stderr)."""
    if choice == "uvloop":
        try:
            import uvloop
        except ImportError:
            typer.echo("uvloop is not installed here: using asyncio's event loop", err=True)
        else:
            return uvloop.new_event_loop()
    return asyncio.new_event_loop()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 3978,
) -> None:
    """Start the server: Slack at /slack/events when configured, health at /healthz and /readyz."""
    from aiohttp import web

    from ..preflight import check_channels
    from ..server import STATE, build_app, graceful, server_options

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    settings = load()
    try:
        check_channels(settings)
        service = Service.start(settings)
        application = build_app(service, settings, metrics_host=host)
    except AdvisorError as exc:
        raise fail(exc) from exc
    channels = application[STATE].channels
    for name in ("slack", "teams"):
        if name not in channels:
            typer.echo(f"{name}: not configured, its route is off")
    application.on_cleanup.append(lambda _app: asyncio.to_thread(service.close))
    graceful(application)
    # The knowledge base and its index live as long as the process: keep their objects out of
    # the garbage collector's full passes, which would otherwise walk them all now and then.
    gc.collect()
    gc.freeze()
    loop = _event_loop(settings.event_loop)
    typer.echo(
        f"Advisor listening on http://{host}:{port} ({', '.join(channels) or 'no chat channels'}; "
        f"{type(loop).__module__.partition('.')[0]} event loop)"
    )
    if settings.web_enabled:
        typer.echo(f"Open http://{host}:{port}/ in a browser to ask the advisor")
    if settings.metrics_port is not None:
        typer.echo(f"Metrics at http://{host}:{settings.metrics_port}/metrics")
    web.run_app(
        application,
        loop=loop,
        host=host,
        port=port,
        print=None,
        handle_signals=False,
        shutdown_timeout=settings.shutdown_seconds,
        **server_options(settings),
        access_log=logging.getLogger("aiohttp.access") if settings.access_log else None,
    )
    typer.echo("Advisor stopped")
