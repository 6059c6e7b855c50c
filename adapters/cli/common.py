"""What every command needs: the settings, the advisor or the running service, and one way
to fail (a line on stderr, exit status 2)."""

from __future__ import annotations

import getpass
import sys
from datetime import timedelta

import typer

from bot import Advisor, AdvisorError, Settings, load_settings
from bot.service import Service

DURATION_UNITS = {"h": 3600, "d": 86400, "w": 7 * 86400}


def fail(exc: Exception) -> typer.Exit:
    typer.secho(f"advisor: {exc}", err=True, fg="red")
    return typer.Exit(2)


def load() -> Settings:
    try:
        return load_settings()
    except AdvisorError as exc:
        raise fail(exc) from exc


def load_advisor() -> Advisor:
    try:
        return Advisor.from_settings(load())
    except AdvisorError as exc:
        raise fail(exc) from exc


def start_service() -> Service:
    """The advisor with its query log and what the policy owner taught it; the command line
    may create a local pseudonym key."""
    try:
        return Service.start(load(), allow_generated_key=True, learn_now=True)
    except AdvisorError as exc:
        raise fail(exc) from exc


def parse_duration(text: str) -> timedelta:
    """``90d``, ``12h``, ``2w`` (a bare number is days)."""
    value = text.strip().lower()
    unit = value[-1] if value and value[-1] in DURATION_UNITS else "d"
    number = value[:-1] if value and value[-1] in DURATION_UNITS else value
    if not number.isdigit() or int(number) <= 0:
        raise typer.BadParameter(f"{text!r} is not a duration such as 90d, 12h or 2w")
    return timedelta(seconds=int(number) * DURATION_UNITS[unit])


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def stdin_lines() -> list[str | None]:
    """Lines of standard input; a line that is not UTF-8 becomes None and is reported."""
    lines: list[str | None] = []
    for raw in sys.stdin.buffer:
        try:
            lines.append(raw.decode("utf-8").rstrip("\r\n"))
        except UnicodeDecodeError:
            lines.append(None)
    return lines
