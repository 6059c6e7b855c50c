"""The one place that reads the environment: typed settings from env variables and ``.env``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from ..errors import ConfigError
from .platforms import PLATFORM_NAMES, PlatformNames, SlackSettings, TeamsSettings
from .thresholds import Thresholds

__all__ = ["DEFAULT_KNOWLEDGE_DIR", "Settings", "load_settings"]

DEFAULT_KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent.parent / "knowledge"


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
    learned_refresh_seconds: float = Field(3.0, gt=0, le=3600)
    """How often each replica asks whether the policy owner taught the advisor something new
    (a cheap query); when so, it rebuilds its matcher in the background (docs/tickets.md)."""
    digest_weekday: int = Field(0, ge=0, le=6)
    """The day the owners' channel gets the weekly digest (0 is Monday), from ``digest_hour``."""
    digest_hour: int = Field(8, ge=0, le=23)
    """The hour (UTC) the weekly digest is due; one replica sends it, once a week."""
    digest_enabled: bool = True
    """Send the weekly digest to each platform's owners' channel (where one is set)."""
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
            PlatformNames(settings_cls, environments[0]),
            dotenv_settings,
            PlatformNames(settings_cls, environments[1]),
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
