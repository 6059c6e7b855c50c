"""Slack's and Teams' settings, each a model of its own, read under the names operators know."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
)
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

__all__ = ["PLATFORM_NAMES", "PlatformNames", "SlackSettings", "TeamsSettings", "secret"]


def secret(value: SecretStr | None) -> str:
    """A secret's text, stripped; empty when unset or only whitespace."""
    return value.get_secret_value().strip() if value is not None else ""


class SlackSettings(BaseModel):
    """What the Slack adapter needs (docs/slack.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    signing_secret: SecretStr | None = None
    bot_token: SecretStr | None = None
    app_token: SecretStr | None = None
    api_url: str = "https://slack.com/api/"
    """Base URL of Slack's Web API; tests point it at a recorder."""
    response_hosts: list[str] = ["hooks.slack.com"]
    """Hosts a ``response_url`` may point at, over https on the default port; any other URL is
    not posted to. An entry with a scheme names a whole origin (a local stand-in in tests)."""
    channel_rate: float = Field(1.0, gt=0)
    """Messages per second per channel (Slack allows about one)."""
    agent_view: bool = False
    """Direct messages as Slack's agent view: suggested prompts, a status, thread titles and
    native feedback buttons. Off, direct messages get plain answers (a workspace or an app
    without the agent view); the shipped manifest and ``.env.example`` turn it on."""
    nudge: bool = False
    """Private nudges about group-invite and app links, in channels that opted in."""
    owner_channel: str = ""
    """The policy owners' channel id, where tickets' cards go (docs/tickets.md); empty: none."""
    owner_routes: dict[str, str] = {}
    """Other owners' channels by topic or language, as JSON (``{"he": "C...", "fake-profile":
    "C..."}``): a ticket's topic decides before its language; the rest go to ``owner_channel``."""

    @property
    def wanted(self) -> bool:
        """Whether any Slack credential is set (then the signing secret must be)."""
        return self.signing_secret is not None or bool(secret(self.bot_token) or secret(self.app_token))


class TeamsSettings(BaseModel):
    """What the Teams adapter needs (docs/teams.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    app_id: str = ""
    app_password: SecretStr | None = None
    app_type: str = "MultiTenant"
    app_tenant_id: str = ""
    enabled: bool = False
    """Turn the Teams route on without an app id: development only, and unauthenticated."""
    tenants: list[str] = []
    """Tenant ids allowed to talk to the advisor; empty allows every tenant."""
    nudge: bool = False
    """What to weigh, on the card Teams shows for a group-invite or app link being composed."""
    owner_channel: str = ""
    """The conversation id of the policy owners' Teams channel (``19:...@thread.tacv2``), where
    tickets' cards go (docs/tickets.md); empty: none."""
    owner_routes: dict[str, str] = {}
    """Other owners' channels by topic or language, as JSON (``{"he": "19:...@thread.tacv2"}``):
    a ticket's topic decides before its language; the rest go to ``owner_channel``."""
    service_url: str = "https://smba.trafficmanager.net/teams/"
    """The Bot Connector's service URL for messages the advisor starts (the owners' cards, the
    asker's news)."""
    openid_url: str = "https://login.botframework.com/v1/.well-known/openidconfiguration"
    emulator_openid_url: str = (
        "https://login.microsoftonline.com/botframework.com/v2.0/.well-known/openid-configuration"
    )
    """Emulator tokens are only accepted in development."""

    @property
    def wanted(self) -> bool:
        return bool(self.app_id.strip()) or self.enabled


# The platform settings under the names operators know, as Slack's and Microsoft's own tools
# spell them: the Python name a caller may pass, the environment variable, and where it goes.
# ``ADVISOR_SLACK__API_URL`` (the nested form) is read as well.
PLATFORM_NAMES: dict[str, tuple[str, str, str]] = {
    "slack_signing_secret": ("SLACK_SIGNING_SECRET", "slack", "signing_secret"),
    "slack_bot_token": ("SLACK_BOT_TOKEN", "slack", "bot_token"),
    "slack_app_token": ("SLACK_APP_TOKEN", "slack", "app_token"),
    "slack_api_url": ("ADVISOR_SLACK_API_URL", "slack", "api_url"),
    "slack_response_hosts": ("ADVISOR_SLACK_RESPONSE_HOSTS", "slack", "response_hosts"),
    "slack_channel_rate": ("ADVISOR_SLACK_CHANNEL_RATE", "slack", "channel_rate"),
    "slack_owner_channel": ("ADVISOR_SLACK_OWNER_CHANNEL", "slack", "owner_channel"),
    "slack_owner_routes": ("ADVISOR_SLACK_OWNER_ROUTES", "slack", "owner_routes"),
    "microsoft_app_id": ("MicrosoftAppId", "teams", "app_id"),
    "microsoft_app_password": ("MicrosoftAppPassword", "teams", "app_password"),
    "microsoft_app_type": ("MicrosoftAppType", "teams", "app_type"),
    "microsoft_app_tenant_id": ("MicrosoftAppTenantId", "teams", "app_tenant_id"),
    "teams_enabled": ("ADVISOR_TEAMS_ENABLED", "teams", "enabled"),
    "teams_tenants": ("ADVISOR_TEAMS_TENANTS", "teams", "tenants"),
    "teams_openid_url": ("ADVISOR_TEAMS_OPENID_URL", "teams", "openid_url"),
    "teams_emulator_openid_url": ("ADVISOR_TEAMS_EMULATOR_OPENID_URL", "teams", "emulator_openid_url"),
    "slack_agent_view": ("ADVISOR_SLACK_AGENT_VIEW", "slack", "agent_view"),
    "slack_nudge": ("ADVISOR_SLACK_NUDGE", "slack", "nudge"),
    "teams_nudge": ("ADVISOR_TEAMS_NUDGE", "teams", "nudge"),
    "teams_owner_channel": ("ADVISOR_TEAMS_OWNER_CHANNEL", "teams", "owner_channel"),
    "teams_owner_routes": ("ADVISOR_TEAMS_OWNER_ROUTES", "teams", "owner_routes"),
    "teams_service_url": ("ADVISOR_TEAMS_SERVICE_URL", "teams", "service_url"),
}


class PlatformNames(PydanticBaseSettingsSource):
    """Reads :data:`PLATFORM_NAMES` from one environment (the process's or ``.env``'s)."""

    def __init__(self, settings_cls: type[BaseSettings], environment: Mapping[str, str | None]) -> None:
        super().__init__(settings_cls)
        self.environment = {key.lower(): value for key, value in environment.items()}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        found: dict[str, dict[str, Any]] = {}
        for env_name, section, name in PLATFORM_NAMES.values():
            value = self.environment.get(env_name.lower())
            if value is None:
                continue
            if name in ("response_hosts", "tenants", "owner_routes"):
                with contextlib.suppress(ValueError):
                    value = json.loads(value)
            found.setdefault(section, {})[name] = value
        return found
