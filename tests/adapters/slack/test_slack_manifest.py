from __future__ import annotations

import inspect
from urllib.parse import urlsplit

import yaml

from adapters.slack import app as slack_app
from bot.prompts import suggested_prompts
from bot.testing import shipped_advisor
from tests.paths import ROOT

MANIFEST = ROOT / "deploy" / "slack" / "manifest.yaml"


def test_the_manifest_matches_the_adapter() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    urls = [
        manifest["settings"]["event_subscriptions"]["request_url"],
        manifest["settings"]["interactivity"]["request_url"],
        *(c["url"] for c in manifest["features"]["slash_commands"]),
    ]
    assert {urlsplit(u).path for u in urls} == {"/slack/events"}
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/advisor"]
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert events == {
        "app_home_opened",
        "app_mention",
        "assistant_thread_started",
        "message.channels",
        "message.groups",
        "message.im",
    }
    source = inspect.getsource(slack_app.SlackAdapter.__init__)
    for event in ("app_home_opened", "app_mention", "message", "assistant_thread_started"):
        assert f'event("{event}")' in source
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"chat:write", "commands", "app_mentions:read", "im:history"} <= scopes
    # The agent view's status, title and prompts; the nudge reads channels and who may turn it on.
    assert {"assistant:write", "channels:history", "groups:history", "users:read", "channels:read"} <= scopes
    agent = manifest["features"]["agent_view"]
    assert agent["agent_description"] and 1 <= len(agent["suggested_prompts"]) <= 4
    assert "assistant_view" not in manifest["features"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True


def test_the_manifests_prompts_are_the_shipped_ones() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    shipped = suggested_prompts(shipped_advisor().knowledge, [], "en")
    listed = manifest["features"]["agent_view"]["suggested_prompts"]
    assert listed == [{"title": p.title, "message": p.message} for p in shipped[: len(listed)]]
