"""Deployment chores: ``advisor teams-package`` and ``db upgrade``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.querylog.sql import SqlQueryLog

from .app import app, db_app
from .common import fail, load


@app.command("teams-package")
def teams_package(
    app_id: Annotated[str, typer.Option("--app-id", help="The bot's Microsoft App ID (a GUID).")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the zip.")] = Path("advisor-teams.zip"),
) -> None:
    """Write the Teams app package (manifest and icons, zipped) ready for upload."""
    from ..teams.package import build_package

    try:
        written = build_package(app_id, out)
    except ValueError as exc:
        raise fail(exc) from exc
    typer.echo(f"wrote {written}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or update the query log's tables (run before starting new replicas)."""
    settings = load()
    SqlQueryLog(settings.log_url).upgrade()
    typer.echo("the query log schema is up to date")
