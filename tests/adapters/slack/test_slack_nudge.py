"""The nudge in Slack, through the real server and the recorded Web API: /advisor nudge on|off
for the channel's managers, an ephemeral note to the person who shared a group invite or an app
link (and nobody else), once a day per kind of link, nothing kept of the link but its kind."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.nudge import NudgeCount
from tests.slackkit import SlackRig, fixture, texts_of

NOW = datetime.now(UTC)
EVENTS = iter(range(1, 10_000))


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[SlackRig]:
    rig = SlackRig(tmp_path, slack_nudge=True)
    rig.api.users = {
        "UADMIN": {"locale": "en-US", "is_admin": True},
        "UOWNER": {"locale": "he-IL"},
        "U0002": {"locale": "en-GB"},
        "U0003": {"locale": "he-IL"},
    }
    rig.api.channels = {"C0001": {"creator": "UOWNER"}, "C0002": {"creator": "UOWNER"}}
    yield rig
    rig.close()


def said(rig: SlackRig, hook: str) -> str:
    [sent] = rig.api.wait_for(1, "respond:" + hook)
    assert sent["response_type"] == "ephemeral"
    return sent["blocks"][0]["text"]["text"]


def nudge(rig: SlackRig, text: str, user: str = "UADMIN", channel: str = "C0001") -> str:
    hook = f"n{next(EVENTS)}"
    rig.command(text, user_id=user, channel_id=channel, response_url=rig.hook_base + hook)
    return said(rig, hook)


def shared(rig: SlackRig, text: str, user: str = "U0002", channel: str = "C0001", **extra: Any) -> None:
    n = next(EVENTS)
    body = fixture("event_channel_message", text=text, user=user, channel=channel, ts=f"1700000100.{n:06d}")
    body["event"].update(extra)
    body["event_id"] = f"EvSHARE{n}"
    assert rig.post(body).status == 200


def ephemerals(rig: SlackRig) -> list[dict[str, Any]]:
    rig.settle()
    return rig.api.of("chat.postEphemeral")


def test_channel_managers_turn_it_on_and_off(rig: SlackRig) -> None:
    assert nudge(rig, "nudge on", user="U0002").startswith("Only this channel's managers")
    assert nudge(rig, "nudge on", user="UNKNOWN").startswith("Only this channel's managers")
    assert nudge(rig, "nudge on", user="UOWNER").startswith("בוצע")
    assert nudge(rig, "nudge off", user="UADMIN").startswith("Done: no more notes")
    assert nudge(rig, "nudge maybe", user="UADMIN").startswith("Use /advisor nudge on")
    assert nudge(rig, "nudge on", channel="D0001").startswith("Link notes are for channels")
    assert rig.api.of("chat.postMessage") == []


def test_a_group_invite_gets_a_private_note_to_its_poster(rig: SlackRig) -> None:
    nudge(rig, "nudge on")
    shared(rig, "join us! <https://www.facebook.com/groups/acme.customers/|our group> &lt;!channel&gt;")
    [note] = ephemerals(rig)
    assert note["channel"] == "C0001" and note["user"] == "U0002" and "thread_ts" not in note
    text = "\n".join(texts_of(note))
    assert "You shared a link to join a group on Facebook. Only you can see this" in text
    assert note["blocks"][1]["text"]["text"].startswith(":warning: *Think first · Joining groups")
    assert "Facebook is a personal network" in text
    [button] = note["blocks"][-1]["elements"]
    assert button["action_id"] == "advisor:checklist:join-group"
    assert rig.api.of("chat.postMessage") == []
    counts = rig.service.nudges.counts(NOW - timedelta(1), NOW + timedelta(1))
    assert counts == [NudgeCount("join-group", "facebook", 1)]
    rig.service.writer.flush(5)
    stored = b"".join(p.read_bytes() for p in rig.settings.data_dir.glob("log.db*"))
    assert b"acme.customers" not in stored and b"U0002" not in stored


def test_the_verdict_follows_the_network_or_app(rig: SlackRig) -> None:
    nudge(rig, "nudge on")
    shared(rig, "<https://www.linkedin.com/groups/1234/>", user="U0002")
    shared(rig, "<https://apps.apple.com/il/app/tiktok/id835599320>", user="U0003", thread_ts="1700000001.0")
    shared(rig, "<https://apps.apple.com/us/app/hootsuite/id341249709>", user="UADMIN")
    notes = {n["user"]: n for n in ephemerals(rig)}
    assert notes["U0002"]["blocks"][1]["text"]["text"].startswith(":white_check_mark: *Go ahead · Joining")
    hebrew = notes["U0003"]
    assert hebrew["blocks"][1]["text"]["text"].startswith(":no_entry: *")
    assert "שיתפתם קישור להתקנת TikTok" in hebrew["blocks"][0]["elements"][0]["text"]
    assert hebrew["thread_ts"] == "1700000001.0"
    assert notes["UADMIN"]["blocks"][1]["text"]["text"].startswith(":white_check_mark:")
    assert "Hootsuite is on Example Ltd.'s approved list" in json.dumps(notes["UADMIN"])


def test_once_a_day_per_person_and_kind_of_link(rig: SlackRig) -> None:
    nudge(rig, "nudge on")
    shared(rig, "https://chat.whatsapp.com/AAA")
    shared(rig, "https://www.linkedin.com/groups/9")
    shared(
        rig, "https://chat.whatsapp.com/AAA https://play.google.com/store/apps/details?id=com.facebook.katana"
    )
    shared(rig, "https://chat.whatsapp.com/AAA", user="U0003")
    notes = ephemerals(rig)
    topics = rig.service.advisor.knowledge.topics
    heads = [(n["user"], n["blocks"][1]["text"]["text"]) for n in notes]
    # Each shared message is considered on its own: their notes may arrive in any order.
    assert sorted((user, head.split(" · ")[1].rstrip("*")) for user, head in heads) == sorted(
        [
            ("U0002", topics["join-groups"].title.en),
            ("U0002", topics["install-apps"].title.en),
            ("U0003", topics["join-groups"].title.he),
        ]
    )
    counts = rig.service.nudges.counts(NOW - timedelta(1), NOW + timedelta(1))
    assert sorted(counts, key=lambda c: c.subject) == [
        NudgeCount("install-app", "facebook", 1),
        NudgeCount("join-group", "whatsapp", 2),
    ]


def test_nothing_in_channels_that_did_not_opt_in_or_for_look_alikes(rig: SlackRig) -> None:
    nudge(rig, "nudge on")
    shared(rig, "https://chat.whatsapp.com/AAA", channel="C0002")
    shared(rig, "https://faceb00k.com/groups/x https://facebook.com.evil.example/groups/y")
    shared(rig, "https://fаcebook.com/groups/x https://facebook.com@evil.example/groups/z")
    shared(rig, "edited https://chat.whatsapp.com/AAA", subtype="message_changed")
    shared(rig, "https://chat.whatsapp.com/AAA", bot_id="B0009")
    assert ephemerals(rig) == []


def test_a_huge_message_with_hundreds_of_links_is_handled(rig: SlackRig) -> None:
    nudge(rig, "nudge on")
    links = " ".join(f"<https://example.com/{i}|x>" for i in range(800))
    shared(rig, links + " <https://chat.whatsapp.com/ZZZ> " + "ש" * 30_000)
    [note] = ephemerals(rig)
    assert note["user"] == "U0002"


def test_off_for_the_workspace_means_off(tmp_path: Path) -> None:
    rig = SlackRig(tmp_path)
    try:
        rig.api.users = {"UADMIN": {"is_admin": True}}
        assert nudge(rig, "nudge on").startswith("Link notes are turned off for this workspace")
        rig.service.nudges.turn(
            rig.service.pseudonyms("workspace", "T0001") or "",
            rig.service.pseudonyms("conversation", "C0001") or "",
            True,
            NOW,
        )
        shared(rig, "https://chat.whatsapp.com/AAA")
        assert ephemerals(rig) == []
    finally:
        rig.close()


def test_the_database_away_means_no_nudge_and_no_crash(rig: SlackRig) -> None:
    nudge(rig, "nudge on")
    rig.service.store.engine.dispose()
    path = Path(str(rig.settings.log_url).removeprefix("sqlite:///"))
    path.unlink()
    path.mkdir()
    shared(rig, "https://chat.whatsapp.com/AAA")
    assert ephemerals(rig) == []
    assert "Sorry" in nudge(rig, "nudge off") or "sorry" in nudge(rig, "nudge off").lower()
