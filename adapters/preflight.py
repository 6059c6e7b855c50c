"""Settings checked before the server starts: which channels they turn on, and combinations
that cannot work or are unsafe in production, each stopping the start with a clear message."""

from __future__ import annotations

import ipaddress

from bot import ConfigError
from bot.config import Settings, secret

__all__ = ["check_channels", "check_deployment", "is_strong_token"]

# The dashboard token in production: long enough, and not one character repeated, that guessing
# it at the login's rate limit would take longer than anyone cares to try.
MIN_ADMIN_TOKEN_CHARS = 16
MIN_ADMIN_TOKEN_DISTINCT = 8


def check_deployment(settings: Settings) -> None:
    """Settings that cannot work together, or are unsafe in production, stop the start with a
    clear message."""
    if settings.replicas > 1 and settings.is_sqlite:
        raise ConfigError(
            f"ADVISOR_REPLICAS={settings.replicas} needs a shared database: SQLite is one file for one "
            "process. Set ADVISOR_DATABASE_URL to PostgreSQL, or run one replica."
        )
    token = secret(settings.admin_token)
    if settings.env == "production" and token and not is_strong_token(token):
        raise ConfigError(
            f"ADVISOR_ADMIN_TOKEN is too weak for production: use at least {MIN_ADMIN_TOKEN_CHARS} "
            f"characters, {MIN_ADMIN_TOKEN_DISTINCT} of them different (for example the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    for network in settings.trusted_proxies:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError as exc:
            raise ConfigError(f"ADVISOR_TRUSTED_PROXIES: {network!r} is not a network (10.0.0.0/8)") from exc


def is_strong_token(token: str) -> bool:
    return len(token) >= MIN_ADMIN_TOKEN_CHARS and len(set(token)) >= MIN_ADMIN_TOKEN_DISTINCT


def check_channels(settings: Settings) -> list[str]:
    """Which channels the settings turn on; contradictory or unsafe settings stop the start."""
    check_deployment(settings)
    slack, teams = settings.slack, settings.teams
    signing, bot, app_token = secret(slack.signing_secret), secret(slack.bot_token), secret(slack.app_token)
    channels = []
    if slack.wanted:
        if not bot:
            raise ConfigError("SLACK_BOT_TOKEN is required to answer in Slack")
        if not signing and not app_token:
            raise ConfigError(
                "SLACK_SIGNING_SECRET is required for Slack over HTTP (an empty secret would accept "
                "anyone's requests); set it, or SLACK_APP_TOKEN for Socket Mode"
            )
        channels.append("slack")
    if teams.wanted:
        if not teams.app_id.strip() and settings.env != "development":
            raise ConfigError(
                "MicrosoftAppId is required for Teams: with an empty app id botbuilder accepts "
                "anonymous requests. Set it, or ADVISOR_ENV=development to try Teams locally."
            )
        channels.append("teams")
    return channels
