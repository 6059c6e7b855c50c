"""Follow-ups in Slack keep their context per thread and per direct message, through the real
server and the recorded Web API; the query log records what each answer took from it."""

from __future__ import annotations

from typing import Any

from tests.slackkit import SlackRig, fixture, texts_of

ROOT = "1700000001.000200"


def mention(text: str, ts: str, event_id: str, thread_ts: str | None = None, **event: Any) -> dict[str, Any]:
    fields = {"text": f"<@UADVISOR> {text}", "ts": ts, "event_ts": ts} | event
    data = fixture("event_mention", **fields | ({"thread_ts": thread_ts} if thread_ts else {}))
    data["event_id"] = event_id
    return data


def head(post: dict[str, Any]) -> str:
    return str(post["blocks"][0]["text"]["text"])


def test_a_follow_up_in_a_thread_keeps_the_threads_topic(slack: SlackRig) -> None:
    slack.post(mention("can we recruit on LinkedIn?", ROOT, "EvCTX1"))
    [first] = slack.api.wait_for(1, "chat.postMessage")
    assert first["thread_ts"] == ROOT and "Recruiting through social networks" in head(first)
    slack.post(mention("and on Instagram?", "1700000002.000300", "EvCTX2", thread_ts=ROOT))
    second = slack.api.wait_for(2, "chat.postMessage")[1]
    assert second["thread_ts"] == ROOT and "Recruiting through social networks" in head(second)
    # Another thread of the same channel has nothing to follow: it is asked what it means.
    slack.post(mention("and on Instagram?", "1700000003.000400", "EvCTX3"))
    third = slack.api.wait_for(3, "chat.postMessage")[2]
    assert third["thread_ts"] == "1700000003.000400"
    assert any("About what?" in t for t in texts_of(third))
    rows = sorted(slack.rows(3), key=lambda r: r.asked_at)
    assert [r.topic for r in rows] == ["recruitment", "recruitment", None]
    assert rows[0].context is None and rows[2].context is None and rows[2].outcome == "clarify"
    assert rows[1].context == {"topic": "recruitment", "entities": {}, "follow_up": "slot"}
    assert rows[0].conversation == rows[1].conversation != rows[2].conversation


def test_a_why_in_a_direct_message_explains_the_previous_answer_in_hebrew(slack: SlackRig) -> None:
    slack.post(fixture("event_dm"))
    slack.api.wait_for(1, "chat.postMessage")
    why = fixture("event_dm", text="למה?", ts="1700000005.000100", event_ts="1700000005.000100")
    why["event_id"] = "EvCTXWHY"
    slack.post(why)
    post = slack.api.wait_for(2, "chat.postMessage")[1]
    assert "thread_ts" not in post
    shown = " ".join(texts_of(post))
    assert "האפליקציות והתוספים שהרשתות מציעות קיימים" in shown and "כלל 3" in shown
    rows = sorted(slack.rows(2), key=lambda r: r.asked_at)
    assert rows[1].topic == "install-apps" and (rows[1].context or {}).get("follow_up") == "why"
