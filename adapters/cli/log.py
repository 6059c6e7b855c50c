"""The query log: ``advisor log purge`` and ``log forget`` (retention and erasure, done by
:mod:`bot.querylog.retention`), and ``advisor report``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from bot import AdvisorError
from bot.nudge.sql import SqlNudgeStore
from bot.querylog.report import build_report
from bot.querylog.retention import forget, purge
from bot.service import open_store

from ..slack.journal import SLACK_JOURNAL, Journal
from .app import app, log_app
from .common import fail, load, parse_duration


@log_app.command("purge")
def log_purge(
    older_than: Annotated[
        str | None, typer.Option("--older-than", help="Age such as 90d (default: retention).")
    ] = None,
) -> None:
    """Delete log rows (and spooled records) older than the retention period."""
    settings = load()
    age = parse_duration(older_than) if older_than else timedelta(days=settings.retention_days)
    cutoff = datetime.now(UTC) - age
    try:
        removed = purge(settings, cutoff, Journal(settings.data_dir / SLACK_JOURNAL))
    except AdvisorError as exc:
        raise fail(exc) from exc
    typer.echo(
        f"removed {removed.rows} row(s), {removed.waiting} spooled record(s) and {removed.journaled} "
        f"journaled question(s) older than {cutoff:%Y-%m-%d %H:%M} UTC, {removed.contexts} "
        f"conversation context(s), and the contact details of {removed.tickets} ticket(s) closed "
        "before then"
    )


@log_app.command("forget")
def log_forget(
    user: Annotated[str, typer.Argument(help="The person's raw platform id (Slack, Teams, ...).")],
) -> None:
    """Delete every row of one person; the id is pseudonymized the same way the log does."""
    settings = load()
    try:
        pseudonym, removed = forget(settings, user, Journal(settings.data_dir / SLACK_JOURNAL))
    except AdvisorError as exc:
        raise fail(exc) from exc
    # The audit line names the pseudonym only, never the raw id it came from.
    typer.echo(
        f"removed {removed.rows} row(s), {removed.waiting} spooled record(s) and {removed.journaled} "
        f"journaled question(s), {removed.contexts} conversation context(s) and {removed.tickets} "
        f"ticket(s) of pseudonym {pseudonym}"
    )


@app.command()
def report(
    since: Annotated[str, typer.Option("--since", help="How far back, such as 7d, 24h or 4w.")] = "7d",
    fmt: Annotated[str, typer.Option("--format", help="text, json or csv.")] = "text",
    suggest: Annotated[
        bool, typer.Option("--suggest", help="Print YAML snippets for unanswered questions.")
    ] = False,
) -> None:
    """What people asked, what helped and what went unanswered."""
    if fmt not in ("text", "json", "csv"):
        raise typer.BadParameter("--format must be text, json or csv")
    settings = load()
    until = datetime.now(UTC)
    try:
        start = until - parse_duration(since)
    except OverflowError as exc:
        raise typer.BadParameter(f"--since {since} reaches before the calendar's first year") from exc
    store = open_store(settings)
    built = build_report(store, start, until, SqlNudgeStore(store.engine, store.write_lock))
    if suggest:
        typer.echo(built.suggestions() or "# nothing went unanswered in this period")
    elif fmt == "json":
        typer.echo(json.dumps(built.to_dict(), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        typer.echo(built.to_csv(), nl=False)
    else:
        typer.echo(built.to_text())
