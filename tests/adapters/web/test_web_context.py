"""Follow-ups through the web API keep the visitor's conversation, and the answer says what it
took from it, as adapters/web/openapi.yaml documents."""

from __future__ import annotations

import json
from typing import Any

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
