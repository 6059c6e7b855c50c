from __future__ import annotations

import inspect
from urllib.parse import urlsplit

import yaml

from adapters.slack import app as slack_app
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
    assert events == {"app_home_opened", "app_mention", "message.im"}
    source = inspect.getsource(slack_app.SlackAdapter.__init__)
    for event in ("app_home_opened", "app_mention", "message"):
        assert f'event("{event}")' in source
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"chat:write", "commands", "app_mentions:read", "im:history"} <= scopes
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
