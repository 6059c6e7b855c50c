"""The one place that reads the environment: typed settings from env variables and ``.env``."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from .errors import ConfigError

__all__ = [
    "DEFAULT_KNOWLEDGE_DIR",
    "Settings",
    "SlackSettings",
    "TeamsSettings",
    "Thresholds",
    "load_settings",
    "secret",
]


def secret(value: SecretStr | None) -> str:
    """A secret's text, stripped; empty when unset or only whitespace."""
    return value.get_secret_value().strip() if value is not None else ""


DEFAULT_KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"


class Thresholds(BaseModel):
    """When the advisor answers, asks back or declines (docs/matching.md, "Matchers and tuning").

    - below ``decline_below`` the best topic is too far: decline; a question that names a
      network, an approved app or "social media" is declined only below
      ``decline_below_in_domain``;
    - when the knowledge base's off-topic examples score at least ``decline_ratio`` of the best
      topic, a question that names nothing of the domain looks more like them: decline;
    - a runner-up scoring at least ``clarify_ratio`` of the best makes it a "did you mean",
      unless the best is above ``sure_above``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    decline_below: float = Field(0.15, ge=0.0, le=1.0)
    decline_below_in_domain: float = Field(0.05, ge=0.0, le=1.0)
    decline_ratio: float = Field(0.3, ge=0.0, le=10.0)
    clarify_ratio: float = Field(0.6, ge=0.0, le=1.0)
    sure_above: float = Field(0.4, ge=0.0, le=1.0)
    max_options: int = Field(3, ge=2, le=5)
    max_question_chars: int = Field(1000, ge=20)

    @classmethod
    def for_matcher(cls, kind: str, **chosen: Any) -> Thresholds:
        """The defaults ``advisor tune`` chose for that matcher, with ``chosen`` on top."""
        return cls(**(MATCHER_THRESHOLDS.get(kind, {}) | chosen))


# Chosen by ``advisor tune tests/data/devset.jsonl`` for each matcher (docs/matching.md).
MATCHER_THRESHOLDS: dict[str, dict[str, float]] = {
    "hybrid": {},
    "lexical": {
        "decline_below": 0.15,
        "decline_below_in_domain": 0.05,
        "decline_ratio": 0.2,
        "clarify_ratio": 0.6,
        "sure_above": 0.4,
    },
    "centroid": {
        "decline_below": 0.06,
        "decline_below_in_domain": 0.03,
        "decline_ratio": 0.35,
        "clarify_ratio": 0.9,
        "sure_above": 0.55,
    },
}


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
}


class _PlatformNames(PydanticBaseSettingsSource):
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


class Settings(BaseSettings):
    """Set as ``ADVISOR_<NAME>``; thresholds as ``ADVISOR_THRESHOLDS__<NAME>``."""

    model_config = SettingsConfigDict(
        env_prefix="ADVISOR_",
        env_file=".env",
        env_nested_delimiter="__",
        extra="ignore",
        populate_by_name=True,
    )

    env: Literal["production", "development"] = "production"
    knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR
    policy_file: Path | None = None
    thresholds: Thresholds = Thresholds()
    matcher: Literal["hybrid", "lexical", "centroid"] = "hybrid"
    """``hybrid`` (default) fuses the lexical classifier and the sentence encoder; ``lexical``
    is the light mode, without the encoder (less memory, faster start); ``centroid`` the plain
    lexical matcher. ``semantic``, the earlier name, means ``hybrid``."""

    @field_validator("matcher", mode="before")
    @classmethod
    def _matcher_alias(cls, value: object) -> object:
        return "hybrid" if value == "semantic" else value

    @model_validator(mode="after")
    def _thresholds_for_matcher(self) -> Settings:
        """Thresholds not set explicitly take the chosen defaults of the matcher in use."""
        chosen = {k: getattr(self.thresholds, k) for k in self.thresholds.model_fields_set}
        self.thresholds = Thresholds.for_matcher(self.matcher, **chosen)
        return self

    data_dir: Path = Path("var")
    """Where the embedded SQLite file, the log spool and the development key live."""
    model_dir: Path | None = None
    """A sentence-embedding model exported to ONNX with its tokenizer.json (``advisor model
    fetch`` gets one); unset: the shipped all-MiniLM-L6-v2 int8."""
    model_cache: Path | None = None
    """Where ``advisor model fetch`` keeps models (a Hugging Face cache); default: data_dir/models."""
    encoder_threads: int = Field(0, ge=0)
    """onnxruntime's threads for the encoder; 0 lets it use every core."""
    cache_dir: Path | None = None
    """The examples' embeddings, keyed by model and texts; default: data_dir/cache."""
    database_url: str | None = None
    """SQLAlchemy URL of the query log; default: SQLite in ``data_dir``."""
    pseudonym_key: SecretStr | None = None
    """HMAC key for user ids in the log; required in production."""
    retention_days: int = Field(90, ge=1)
    log_batch_size: int = Field(200, ge=1)
    log_flush_seconds: float = Field(0.2, gt=0)
    log_retry_seconds: float = Field(2.0, gt=0)
    spool_max_records: int = Field(100_000, ge=100)

    conversation_context: bool = True
    """Keep each conversation's context (the topic last answered, its network or app) so that a
    follow-up ("and on Instagram?", "why?") is answered in it (docs/matching.md, "Follow-ups")."""
    conversation_ttl_seconds: float = Field(1800.0, gt=0)
    """How long a context lasts after the answer that set it; a follow-up later is asked back on."""

    replicas: int = Field(1, ge=1)
    """How many server processes share the database (``ADVISOR_REPLICAS``); SQLite allows one."""
    drain_seconds: float = Field(5.0, ge=0)
    """After SIGTERM: how long /readyz says 503 while requests still get answers, so the load
    balancer stops sending traffic before the server stops."""
    shutdown_seconds: float = Field(15.0, gt=0)
    """Then: how long in-flight requests get to finish (keep drain + shutdown below the grace period)."""
    max_body_bytes: int = Field(1024 * 1024, ge=1024)
    """Larger request bodies get 413 before anything reads them."""
    max_inflight: int = Field(500, ge=1)
    """Questions accepted and not yet answered; past it, new deliveries get 503 (Slack retries)."""
    answer_concurrency: int = Field(16, ge=1)
    """Of those, how many are worked on at once; the rest wait their turn without slowing acks.
    Questions worked on at the same moment share one call of the sentence encoder, so more at
    once cost less each (at 200 Slack events/s on two cores: 4 answered 167/s, 16 all 200/s)."""
    answer_lease_seconds: float = Field(60.0, gt=0)
    """A Slack message acknowledged and not answered within this time (the replica died) is
    taken over by another replica, or by this one after a restart."""
    answer_sweep_seconds: float = Field(10.0, gt=0)
    """How often each replica looks for such messages (and for tickets whose card for the
    owners' channel nobody is posting)."""
    claim_timeout_seconds: float = Field(3.0, gt=0)
    """How long an answer waits for the database to say which replica answers a message; past
    it (a slow database) the answer goes out anyway, as when the database is down."""
    event_loop: Literal["uvloop", "asyncio"] = "uvloop"
    """The server's event loop: ``uvloop`` (installed with the advisor on Linux and macOS) spends
    less CPU per request than Python's own ``asyncio`` loop, which is used where uvloop is
    missing (Windows) or when chosen here."""
    access_log: bool = True
    """One log line per HTTP request (off behind a load balancer that logs them already)."""

    ticket_retry_seconds: float = Field(2.0, gt=0)
    """How long before a ticket's card is tried again when the owners' channel could not be
    reached; doubled after each failure, up to five minutes (docs/tickets.md)."""
    digest_weekday: int = Field(0, ge=0, le=6)
    """The day the owners' channel gets the weekly digest (0 is Monday), from ``digest_hour``."""
    digest_hour: int = Field(8, ge=0, le=23)
    """The hour (UTC) the weekly digest is due; one replica sends it, once a week."""
    digest_enabled: bool = True
    """Send the weekly digest to the owners' channel (when one is set)."""
    public_url: str = ""
    """The advisor's address as people reach it (``https://advisor.example.com``), for links
    to the dashboard in the digest; empty: no links."""

    slack: SlackSettings = SlackSettings()
    """Slack's credentials and limits (``SLACK_SIGNING_SECRET``, ``ADVISOR_SLACK_API_URL``, ...)."""

    admin_token: SecretStr | None = None
    """The policy owner's dashboard token (``ADVISOR_ADMIN_TOKEN``); unset: the dashboard is off."""
    web_enabled: bool = True
    """Serve the local web page and its API (``ADVISOR_WEB_ENABLED``)."""
    api_rate: float = Field(5.0, gt=0)
    """Requests per second each client may send to ``/api/*`` (Teams' ``/api/messages`` aside)
    and the dashboard login, after a burst of ``api_burst``; past it, 429 with Retry-After.
    Counted in memory by each process: behind a load balancer each replica counts on its own."""
    api_burst: int = Field(30, ge=1)
    admin_login_failures: int = Field(5, ge=1)
    """Wrong dashboard tokens a client may send before its logins get 429 for
    ``admin_lockout_seconds``, twice as long after each further round (at most a day)."""
    admin_lockout_seconds: float = Field(60.0, gt=0)
    trusted_proxies: list[str] = []
    """Networks (CIDR) of the reverse proxies in front of the server: from them,
    X-Forwarded-For names the client (rate limits) and X-Forwarded-Proto the scheme (cookies)."""
    metrics_port: int | None = Field(None, ge=1, le=65535)
    """Serve ``/metrics`` on this port only, not on the main one (which an Ingress exposes)."""
    idle_timeout_seconds: float = Field(75.0, gt=0)
    """A connection idle this long, or still sending a request's headers, is closed (longer than
    a proxy's upstream keep-alive, 60 s in ingress-nginx)."""
    body_timeout_seconds: float = Field(10.0, gt=0)
    """A request body not received within this time gets 408 and the connection is closed."""

    teams: TeamsSettings = TeamsSettings()
    """Teams' app registration and who may talk (``MicrosoftAppId``, ``ADVISOR_TEAMS_TENANTS``, ...)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        environments = [getattr(env_settings, "env_vars", {}), getattr(dotenv_settings, "env_vars", {})]
        return (
            init_settings,
            env_settings,
            _PlatformNames(settings_cls, environments[0]),
            dotenv_settings,
            _PlatformNames(settings_cls, environments[1]),
            file_secret_settings,
        )

    @model_validator(mode="before")
    @classmethod
    def _flat_platform_names(cls, data: Any) -> Any:
        """``Settings(slack_signing_secret=...)`` and the like set the nested models too."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for flat, (_, section, name) in PLATFORM_NAMES.items():
            if flat in data:
                nested = dict(data.get(section) or {})
                nested.setdefault(name, data.pop(flat))
                data[section] = nested
        return data

    @field_validator("model_dir", "model_cache", "cache_dir", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def model_cache_dir(self) -> Path:
        return self.model_cache or self.data_dir / "models"

    @property
    def embedding_cache_dir(self) -> Path:
        return self.cache_dir or self.data_dir / "cache"

    @property
    def log_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'advisor.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.log_url.startswith("sqlite")


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning validation problems into a ConfigError that names the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = [str(p) for p in first["loc"]]
        documented = {f"{section}.{field}": env for env, section, field in PLATFORM_NAMES.values()}
        name = documented.get(".".join(where[:2])) or "ADVISOR_" + "__".join(where).upper()
        raise ConfigError(f"{name}: {first['msg']}") from exc
