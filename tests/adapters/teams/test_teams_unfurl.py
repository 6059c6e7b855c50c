"""The nudge in Teams, through link unfurling (composeExtension/queryLink) on the real
CloudAdapter: a card on what to weigh for a group invite or an app link, in the composer's
language, once a day per person and kind of link; nothing for other links or look-alikes."""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.teams.package import PACKAGE_DIR
from bot.nudge import NudgeCount
from bot.testing import shipped_advisor
from tests.teamskit import TeamsRig, activity

NOW = datetime.now(UTC)


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[TeamsRig]:
    rig = TeamsRig(tmp_path, teams_nudge=True)
    yield rig
    rig.close()


def query_link(rig: TeamsRig, url: Any, user: str = "aad-1", locale: str = "en-US") -> dict[str, Any]:
    body = activity("message_channel_mention")
    body.update(
        type="invoke",
        name="composeExtension/queryLink",
        value={"url": url},
        locale=locale,
        text=None,
        entities=[],
    )
    body["from"] = {"id": f"29:{user}", "name": "Avi", "aadObjectId": user}
    reply = rig.post(body)
    assert reply.status == 200
    result: dict[str, Any] = json.loads(reply.body)["composeExtension"]
    assert result["type"] == "result" and result["attachmentLayout"] == "list"
    return result


def test_a_group_invite_gets_a_card_on_what_to_weigh(rig: TeamsRig) -> None:
    [attachment] = query_link(rig, "https://www.facebook.com/groups/acme.customers/")["attachments"]
    card = attachment["content"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["version"] == "1.5" and card["type"] == "AdaptiveCard"
    texts = [b["text"] for b in card["body"]]
    assert texts[0].startswith("You shared a link to join a group on Facebook")
    assert texts[1].startswith("⚠️") and card["body"][1]["color"] == "warning"
    assert "Facebook is a personal network" in texts[2]
    [button] = card["actions"]
    assert button["type"] == "Action.Submit" and button["data"] == {
        "advisor": "checklist",
        "c": "join-group",
        "l": "en",
    }
    assert attachment["preview"]["contentType"] == "application/vnd.microsoft.card.thumbnail"
    assert rig.connector.replies == []


def test_the_verdict_and_language_follow_the_link_and_the_person(rig: TeamsRig) -> None:
    [linkedin] = query_link(rig, "https://linkedin.com/groups/42", user="aad-2")["attachments"]
    assert linkedin["content"]["body"][1]["color"] == "good"
    [app] = query_link(rig, "https://apps.apple.com/il/app/tiktok/id1", user="aad-3", locale="he-IL")[
        "attachments"
    ]
    card = app["content"]
    assert card["rtl"] is True and card["body"][1]["color"] == "attention"
    assert card["body"][0]["text"].startswith("שיתפתם קישור להתקנת TikTok")


def test_once_a_day_per_person_and_kind(rig: TeamsRig) -> None:
    assert len(query_link(rig, "https://chat.whatsapp.com/A")["attachments"]) == 1
    assert query_link(rig, "https://www.linkedin.com/groups/9")["attachments"] == []
    assert len(query_link(rig, "https://chat.whatsapp.com/A", user="aad-9")["attachments"]) == 1
    counts = rig.service.nudges.counts(NOW - timedelta(1), NOW + timedelta(1))
    assert counts == [NudgeCount("join-group", "whatsapp", 2)]


@pytest.mark.parametrize(
    "url",
    [
        "https://faceb00k.com/groups/x",
        "https://facebook.com.evil.example/groups/x",
        "https://fаcebook.com/groups/x",
        "https://www.facebook.com/acme",
        "https://chat.whatsapp.com/" + "A" * 10_000,
        None,
        42,
        ["https://chat.whatsapp.com/A"],
    ],
)
def test_other_links_and_bad_input_get_no_card(rig: TeamsRig, url: Any) -> None:
    assert query_link(rig, url)["attachments"] == []


def test_off_for_the_tenant_means_no_card(teams: TeamsRig) -> None:
    assert query_link(teams, "https://chat.whatsapp.com/A")["attachments"] == []


def test_the_manifest_unfurls_every_host_the_policy_names() -> None:
    manifest = json.loads((PACKAGE_DIR / "manifest.json").read_text(encoding="utf-8"))
    [extension] = manifest["composeExtensions"]
    assert extension["botId"] == "{{MICROSOFT_APP_ID}}"
    [handler] = extension["messageHandlers"]
    domains = handler["value"]["domains"]
    for rule in shipped_advisor().knowledge.policy.links:
        host = rule.pattern.partition("/")[0]
        for name in (
            host.removeprefix("*."),
            "www." + host.removeprefix("*.") if host.startswith("*.") else host,
        ):
            assert any(fnmatch.fnmatch(name, d) for d in domains), name
