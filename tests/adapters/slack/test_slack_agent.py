"""Slack's agent view, through the real server and the recorded Web API: suggested prompts in
the person's language (the most asked first), a status and a title while answering, answers in
the conversation's thread, and Slack's own thumbs up and down recorded as feedback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from bot import Query
from tests.slackkit import EVER, SlackRig, fixture


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[SlackRig]:
    rig = SlackRig(tmp_path, slack_agent_view=True)
    rig.api.users = {"U0001": {"locale": "en-US"}, "U0002": {"locale": "he-IL"}}
    yield rig
    rig.close()


def opened(user: str, event_id: str) -> dict[str, Any]:
    body = fixture("app_home_opened", tab="messages", user=user)
    body["event_id"] = event_id
    return body


def test_the_messages_tab_offers_prompts_in_the_persons_language(agent: SlackRig) -> None:
    assert agent.post(opened("U0001", "EvOPEN1")).status == 200
    [english] = agent.api.wait_for(1, "assistant.threads.setSuggestedPrompts")
    assert english["channel_id"] == "D0001" and "thread_ts" not in english
    assert english["title"] == "Try asking me:"
    knowledge = agent.service.advisor.knowledge
    shipped = [knowledge.topics[t] for t in knowledge.phrases.agent.prompt_topics]
    assert [p["title"] for p in english["prompts"]] == [t.title.en for t in shipped]
    assert [p["message"] for p in english["prompts"]] == [t.examples.en[0] for t in shipped]
    agent.post(opened("U0002", "EvOPEN2"))
    hebrew = agent.api.wait_for(2, "assistant.threads.setSuggestedPrompts")[1]
    assert hebrew["title"] == "אפשר לשאול אותי:"
    assert [p["title"] for p in hebrew["prompts"]] == [t.title.he for t in shipped]
    assert [p["message"] for p in hebrew["prompts"]] == [t.examples.he[0] for t in shipped]


def test_the_most_asked_questions_come_first(agent: SlackRig) -> None:
    for _ in range(3):
        agent.service.advisor.handle(Query("how do I recruit on linkedin?", channel="slack"))
    agent.service.advisor.handle(Query("can I share the price list on facebook?", channel="slack"))
    agent.service.writer.flush(5)
    agent.post(opened("U0001", "EvOPEN3"))
    [sent] = agent.api.wait_for(1, "assistant.threads.setSuggestedPrompts")
    rows = agent.rows(4)
    asked = [rows[0].topic, rows[3].topic]
    assert rows[0].topic == rows[1].topic == rows[2].topic != rows[3].topic
    knowledge = agent.service.advisor.knowledge
    expected = [t for t in [*asked, *knowledge.phrases.agent.prompt_topics] if t is not None]
    expected = list(dict.fromkeys(expected))[:4]
    assert [p["title"] for p in sent["prompts"]] == [knowledge.topics[t].title.en for t in expected]


def test_a_new_assistant_thread_gets_prompts_in_it(agent: SlackRig) -> None:
    body = fixture("app_home_opened")
    body["event_id"] = "EvTHREAD1"
    body["event"] = {
        "type": "assistant_thread_started",
        "assistant_thread": {"user_id": "U0002", "channel_id": "D0002", "thread_ts": "1700000050.000100"},
        "event_ts": "1700000050.000200",
    }
    agent.post(body)
    [sent] = agent.api.wait_for(1, "assistant.threads.setSuggestedPrompts")
    assert sent["channel_id"] == "D0002" and sent["thread_ts"] == "1700000050.000100"
    assert sent["title"] == "אפשר לשאול אותי:"


def test_a_question_gets_a_status_a_title_and_a_threaded_answer(agent: SlackRig) -> None:
    agent.post(fixture("event_dm", text="may I install <the> LinkedIn app & <!channel> on my laptop?"))
    [post] = agent.api.wait_for(1, "chat.postMessage")
    [status] = agent.api.of("assistant.threads.setStatus")
    [title] = agent.api.of("assistant.threads.setTitle")
    assert status == {"channel_id": "D0001", "thread_ts": "1700000000.000100", "status": "is looking it up…"}
    assert title["thread_ts"] == "1700000000.000100"
    assert title["title"] == "may I install &lt;the&gt; LinkedIn app &amp; on my laptop?"
    calls = [c.method for c in agent.api.calls if c.method != "auth.test"]
    assert calls.index("assistant.threads.setStatus") < calls.index("chat.postMessage")
    assert post["thread_ts"] == "1700000000.000100"
    [feedback] = [b for b in post["blocks"] if b.get("block_id") == "feedback"]
    assert feedback["type"] == "context_actions"
    [buttons] = feedback["elements"]
    assert buttons["type"] == "feedback_buttons" and buttons["action_id"] == "advisor:feedback"
    assert buttons["positive_button"]["text"]["text"] == "Helpful"
    assert json.loads(buttons["negative_button"]["value"])["f"] == "not_helpful"


def test_a_reply_in_a_conversation_keeps_its_title_and_thread(agent: SlackRig) -> None:
    later = fixture("event_dm", text="ולהצטרף לקבוצה בלינקדאין?", ts="1700000030.000100")
    later["event"]["thread_ts"] = "1700000000.000100"
    agent.post(later)
    [post] = agent.api.wait_for(1, "chat.postMessage")
    assert post["thread_ts"] == "1700000000.000100"
    assert agent.api.of("assistant.threads.setTitle") == []
    [status] = agent.api.of("assistant.threads.setStatus")
    assert status["status"] == "בודק…" and status["thread_ts"] == "1700000000.000100"
    [feedback] = [b for b in post["blocks"] if b.get("block_id") == "feedback"]
    assert feedback["elements"][0]["positive_button"]["text"]["text"] == "עזר לי"


def test_a_button_in_a_thread_sets_that_threads_context(agent: SlackRig) -> None:
    agent.post(fixture("event_dm", text="can we recruit on LinkedIn?"))
    [first] = agent.api.wait_for(1, "chat.postMessage")
    thread = first["thread_ts"]
    message = {"type": "message", "text": "answer", "ts": "1700000001.000100", "thread_ts": thread}
    agent.click("advisor:topic:install-apps", {"t": "install-apps", "l": "en"}, message=message)
    agent.api.wait_for(2, "chat.postMessage")
    later = fixture("event_dm", text="and on Instagram?", ts="1700000030.000100")
    later["event"]["thread_ts"] = thread
    later["event_id"] = "EvLATER"
    agent.post(later)
    agent.api.wait_for(3, "chat.postMessage")
    agent.service.writer.flush(5)
    rows = agent.rows(3)
    assert [r.topic for r in rows] == ["recruitment", "install-apps", "install-apps"]
    # Another thread of the same direct message starts afresh.
    other = fixture("event_dm", text="and on Instagram?", ts="1700000040.000100")
    other["event_id"] = "EvOTHER"
    agent.post(other)
    agent.api.wait_for(4, "chat.postMessage")
    agent.service.writer.flush(5)
    assert agent.rows(4)[3].outcome == "clarify"


def press(rig: SlackRig, value: str) -> None:
    payload = fixture("block_actions")
    payload["actions"] = [
        {"type": "feedback_buttons", "action_id": "advisor:feedback", "block_id": "feedback", "value": value}
    ]
    body = urlencode({"payload": json.dumps(payload)}).encode()
    assert rig.post(body, content_type="application/x-www-form-urlencoded").status == 200


def test_thumbs_are_recorded_as_feedback(agent: SlackRig) -> None:
    agent.post(fixture("event_dm"))
    [post] = agent.api.wait_for(1, "chat.postMessage")
    [feedback] = [b for b in post["blocks"] if b.get("block_id") == "feedback"]
    press(agent, feedback["elements"][0]["negative_button"]["value"])
    press(agent, "not json")
    press(agent, json.dumps({"q": "x", "f": "delete everything"}))
    agent.settle()
    agent.service.writer.flush(5)
    [recorded] = agent.service.store.feedback(*EVER)
    assert recorded.question_id == agent.rows(1)[0].id and recorded.helpful is False
    assert len(agent.api.of("chat.postMessage")) == 1


def test_status_failures_do_not_stop_the_answer(agent: SlackRig) -> None:
    agent.api.fail("assistant.threads.setStatus", (400, {}))
    agent.api.fail("assistant.threads.setTitle", (400, {}))
    agent.post(fixture("event_dm"))
    [post] = agent.api.wait_for(1, "chat.postMessage")
    assert post["thread_ts"] == "1700000000.000100"


def test_without_the_agent_view_direct_messages_are_plain(slack: SlackRig) -> None:
    slack.post(fixture("event_dm"))
    [post] = slack.api.wait_for(1, "chat.postMessage")
    assert "thread_ts" not in post
    slack.post(opened("U0001", "EvOPEN9"))
    slack.settle()
    assert not [c for c in slack.api.calls if c.method.startswith("assistant.")]
