"""Follow-ups in Teams keep their context per conversation (a chat, or a reply chain in a
channel), through the real server, CloudAdapter and a recording connector."""

from __future__ import annotations

from typing import Any

from tests.teamskit import TeamsRig, activity

CHAIN = "19:abcdef0123456789@thread.tacv2;messageid="


def heading(reply: dict[str, Any]) -> str:
    [attachment] = reply["attachments"]
    return str(attachment["content"]["body"][0]["text"])


def in_chain(root: str, text: str, id: str) -> dict[str, Any]:
    message = activity("message_channel_mention", id=id, text=f"<at>Advisor</at> {text}")
    message["conversation"] = dict(message["conversation"], id=CHAIN + root)
    return message


def test_a_follow_up_in_a_chat_gets_the_new_apps_verdict(teams: TeamsRig) -> None:
    teams.post(activity("message_personal", text="may I put the Instagram app on my work PC?"))
    assert heading(teams.connector.wait_for(1)[0]).startswith("⛔ Don't")
    teams.post(activity("message_personal", id="1700000000009", text="and Hootsuite?"))
    answer = heading(teams.connector.wait_for(2)[1])
    assert answer.startswith("✅ Go ahead · Social\\-network apps")
    rows = sorted(teams.rows(), key=lambda r: r.asked_at)
    assert [r.topic for r in rows] == ["install-apps", "install-apps"]
    assert rows[1].context == {"topic": "install-apps", "entities": {}, "follow_up": "slot"}


def test_each_reply_chain_of_a_channel_is_a_conversation_of_its_own(teams: TeamsRig) -> None:
    teams.post(in_chain("100", "should I join a LinkedIn group for our field?", "100"))
    assert heading(teams.connector.wait_for(1)[0]).startswith("✅ Go ahead · Joining groups")
    teams.post(in_chain("100", "ובפייסבוק?", "101"))
    assert heading(teams.connector.wait_for(2)[1]).startswith("⚠️ בזהירות · הצטרפות לקבוצות")
    teams.post(in_chain("200", "ובפייסבוק?", "201"))
    third = teams.connector.wait_for(3)[2]
    assert "על מה?" in str(third)
