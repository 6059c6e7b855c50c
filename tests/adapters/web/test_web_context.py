"""Follow-ups through the web API keep the visitor's conversation, and the answer says what it
took from it, as adapters/web/openapi.yaml documents."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.adapters.web.test_web_api import conforms
from tests.slackkit import EVER
from tests.webkit import WebRig


def ask(web: WebRig, question: str, visitor: str | None, **body: Any) -> dict[str, Any]:
    headers = [("Content-Type", "application/json")] + (
        [("Cookie", f"advisor_visitor={visitor}")] if visitor else []
    )
    reply = web.post("/api/ask", {"question": question, **body}, headers)
    assert reply.status == 200, reply.body
    data: dict[str, Any] = json.loads(reply.body)
    conforms(data, "Answer")
    return data


def test_a_visitors_follow_up_is_answered_in_context(web: WebRig) -> None:
    first = ask(web, "should I join a LinkedIn group for our industry?", "v1")
    assert (first["topic"], first["verdict"], first["context"]) == ("join-groups", "yes", None)
    second = ask(web, "and on facebook?", "v1")
    assert (second["topic"], second["verdict"]) == ("join-groups", "caution")
    assert second["context"] == {"topic": "join-groups", "entities": {}, "follow_up": "slot"}
    why = ask(web, "why?", "v1")
    assert why["context"]["follow_up"] == "why" and why["source"] == "Rule 4"
    other = ask(web, "and on facebook?", "v2")
    assert other["outcome"] == "clarify" and other["context"] is None
    assert [o["id"] for o in other["options"]][:2] == ["join-groups", "install-apps"]
    web.service.writer.flush(5)
    [*_, last] = sorted(web.service.store.questions(*EVER), key=lambda q: q.asked_at)
    assert last.context is None and last.outcome == "clarify"


def test_two_chat_windows_of_one_visitor_are_two_conversations(web: WebRig) -> None:
    ask(web, "can we recruit on LinkedIn?", "v3", conversation="tab-1")
    ask(web, "may I install Hootsuite on my work laptop?", "v3", conversation="tab-2")
    one = ask(web, "ובאינסטגרם?", "v3", conversation="tab-1")
    two = ask(web, "ולחבר אותו לאאוטלוק?", "v3", conversation="tab-2")
    assert (one["topic"], one["lang"]) == ("recruitment", "he")
    assert two["topic"] == "install-apps" and two["context"]["entities"] == {
        "app": "hootsuite",
        "app_approved": True,
    }


def test_a_visitor_without_a_cookie_gets_no_context(web: WebRig) -> None:
    ask(web, "can we recruit on LinkedIn?", None)
    assert ask(web, "and on Instagram?", None)["outcome"] == "clarify"
    too_long = web.post("/api/ask", {"question": "hi", "conversation": "x" * 101})
    assert too_long.status == 400 and json.loads(too_long.body)["field"] == "conversation"


def test_each_tab_of_one_visitor_is_a_conversation_and_continues_as_itself(web: WebRig) -> None:
    tab_a, tab_b = "0b6f4c1e-6a57-4d0e-9d43-5f1f3c2a9e10", "7d2e9f40-1c3b-4a8e-b2d1-93e4f5a6b7c8"
    assert ask(web, "can we recruit on LinkedIn?", "v4", conversation=tab_a)["topic"] == "recruitment"
    other = ask(web, "and on Instagram?", "v4", conversation=tab_b)
    assert other["outcome"] == "clarify" and other["context"] is None
    same = ask(web, "and on Instagram?", "v4", conversation=tab_a)
    assert same["topic"] == "recruitment" and same["context"]["follow_up"] == "slot"
    assert ask(web, "why?", "v4", conversation=tab_a)["context"]["topic"] == "recruitment"
    # The visitor's own conversation (no id) is a third one.
    assert ask(web, "and on Instagram?", "v4")["outcome"] == "clarify"


def test_a_tabs_id_is_kept_within_its_visitor(web: WebRig) -> None:
    ask(web, "can we recruit on LinkedIn?", "v5", conversation="tab")
    assert ask(web, "and on Instagram?", "v6", conversation="tab")["outcome"] == "clarify"
    ask(web, "can we recruit on LinkedIn?", None, conversation="shared")
    assert ask(web, "and on Instagram?", None, conversation="shared")["outcome"] == "clarify"


def test_a_topic_picked_in_a_tab_is_that_tabs_context(web: WebRig) -> None:
    headers = [("Content-Type", "application/json"), ("Cookie", "advisor_visitor=v7")]
    picked = web.post("/api/topic", {"topic": "recruitment", "conversation": "tab-a"}, headers)
    assert picked.status == 200, picked.body
    assert ask(web, "and on Instagram?", "v7", conversation="tab-a")["topic"] == "recruitment"
    assert ask(web, "and on Instagram?", "v7", conversation="tab-b")["outcome"] == "clarify"


@pytest.mark.parametrize("bad", ["", "a:b", "../etc", "tab one", "טאב", "x\n"])
def test_an_id_that_names_no_tab_is_the_visitors_own_conversation(web: WebRig, bad: str) -> None:
    ask(web, "can we recruit on LinkedIn?", "v8")
    follow = ask(web, "and on Instagram?", "v8", conversation=bad)
    assert follow["topic"] == "recruitment" and follow["context"]["follow_up"] == "slot"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/ask", {"question": "and on Instagram?", "conversation": "x" * 101}),
        ("/api/ask", {"question": "and on Instagram?", "conversation": 12345}),
        ("/api/ask", b'{"question": "and on Instagram?", "conversation": "tab-\\ud800"}'),
        ("/api/topic", {"topic": "recruitment", "conversation": "x" * 101}),
        ("/api/topic", {"topic": "recruitment", "conversation": ["tab"]}),
    ],
)
def test_an_id_the_contract_refuses_is_a_clear_400(web: WebRig, path: str, body: Any) -> None:
    reply = web.post(path, body, [("Content-Type", "application/json"), ("Cookie", "advisor_visitor=v9")])
    assert reply.status == 400 and json.loads(reply.body)["field"] == "conversation"


def test_a_tabs_id_is_kept_only_as_a_pseudonym(web: WebRig) -> None:
    tab = "f00dfeed-0000-4000-8000-c0ffee000001"
    ask(web, "can we recruit on LinkedIn?", "v10", conversation=tab)
    web.service.writer.flush(5)
    [record] = web.service.store.questions(*EVER)
    assert record.conversation and tab not in record.conversation and "v10" not in record.conversation
    kept = b"".join(p.read_bytes() for p in web.settings.data_dir.rglob("*") if p.is_file())
    assert b"recruit" in kept and tab.encode() not in kept
