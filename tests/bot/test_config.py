"""Settings: the platform settings are nested models, read under the names operators know."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import PLATFORM_NAMES, Settings, SlackSettings, TeamsSettings, load_settings, secret
from bot.errors import ConfigError


@pytest.fixture
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for env, _, _ in PLATFORM_NAMES.values():
        monkeypatch.delenv(env, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    return monkeypatch


def test_every_platform_setting_has_its_documented_name() -> None:
    named = {(section, field) for _, section, field in PLATFORM_NAMES.values()}
    fields = {("slack", f) for f in SlackSettings.model_fields}
    fields |= {("teams", f) for f in TeamsSettings.model_fields}
    assert named == fields


def test_documented_names_from_the_environment(clean: pytest.MonkeyPatch) -> None:
    clean.setenv("SLACK_SIGNING_SECRET", "s3cret")
    clean.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    clean.setenv("ADVISOR_SLACK_RESPONSE_HOSTS", '["hooks.example", "http://127.0.0.1:9"]')
    clean.setenv("ADVISOR_SLACK_CHANNEL_RATE", "2.5")
    clean.setenv("MicrosoftAppId", "app-1")
    clean.setenv("ADVISOR_TEAMS_TENANTS", '["t1"]')
    settings = load_settings()
    assert secret(settings.slack.signing_secret) == "s3cret" and secret(settings.slack.bot_token) == "xoxb-1"
    assert settings.slack.response_hosts == ["hooks.example", "http://127.0.0.1:9"]
    assert settings.slack.channel_rate == 2.5 and settings.slack.wanted
    assert settings.teams.app_id == "app-1" and settings.teams.tenants == ["t1"] and settings.teams.wanted


def test_nested_form_and_env_file(clean: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean.setenv("ADVISOR_SLACK__API_URL", "http://127.0.0.1:1/api/")
    (tmp_path / ".env").write_text("MicrosoftAppTenantId=tenant-9\nADVISOR_TEAMS_ENABLED=true\n")
    settings = load_settings()
    assert settings.slack.api_url == "http://127.0.0.1:1/api/"
    assert settings.teams.app_tenant_id == "tenant-9" and settings.teams.enabled


def test_the_process_environment_wins_over_the_env_file(clean: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ADVISOR_SLACK_CHANNEL_RATE=3\n")
    clean.setenv("ADVISOR_SLACK_CHANNEL_RATE", "0.5")
    assert load_settings().slack.channel_rate == 0.5


def test_defaults_want_no_platform(clean: pytest.MonkeyPatch) -> None:
    settings = Settings()
    assert not settings.slack.wanted and not settings.teams.wanted
    assert settings.slack.api_url == "https://slack.com/api/"


def test_flat_python_names_set_the_nested_models(clean: pytest.MonkeyPatch) -> None:
    settings = load_settings(slack_signing_secret="x", teams_enabled=True, microsoft_app_type="SingleTenant")
    assert secret(settings.slack.signing_secret) == "x"
    assert settings.teams.enabled and settings.teams.app_type == "SingleTenant"


@pytest.mark.parametrize(
    ("env", "value", "named"),
    [
        ("ADVISOR_SLACK_CHANNEL_RATE", "0", "ADVISOR_SLACK_CHANNEL_RATE"),
        ("ADVISOR_SLACK_CHANNEL_RATE", "fast", "ADVISOR_SLACK_CHANNEL_RATE"),
        ("ADVISOR_TEAMS_TENANTS", "not json", "ADVISOR_TEAMS_TENANTS"),
        ("ADVISOR_RETENTION_DAYS", "0", "ADVISOR_RETENTION_DAYS"),
    ],
)
def test_a_bad_value_names_the_variable_as_set(
    clean: pytest.MonkeyPatch, env: str, value: str, named: str
) -> None:
    clean.setenv(env, value)
    with pytest.raises(ConfigError, match=f"^{named}: "):
        load_settings()
