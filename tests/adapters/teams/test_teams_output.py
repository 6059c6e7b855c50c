"""Catalogue E44 and H63: nothing typed changes a card's structure or adds links or mentions,
and no activity shape makes the server fail."""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.teams.cards import escape, to_card
from bot import Query
from bot.testing import shipped_advisor
from tests.teamskit import TeamsRig, activity

HOSTILE = [
    "[click](https://evil.example)",
    "**x**",
    "<at>General</at>",
    "<script>alert(1)</script>",
    '"}]',
    "*" * 10_000,
    "![img](http://x/y.png)",
    "_under_",
    "# heading",
    "> quote",
    "\\",
    "`code`",
]
LABELS = {"helpful": "Helpful", "not_helpful": "Not helpful", "none_of_these": "None of these"}
ALLOWED_ELEMENTS = {"TextBlock", "Input.Toggle"}
ALLOWED_ACTIONS = {"Action.Submit"}
LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\((?!\s)")


def check_card(card: dict[str, Any]) -> None:
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    for element in card["body"]:
        assert element["type"] in ALLOWED_ELEMENTS
        text = element.get("text") or element.get("title") or ""
        assert not LINK.search(text), text
        assert "<at>" not in text and "<script" not in text
    for action in card.get("actions", []):
        assert action["type"] in ALLOWED_ACTIONS and "url" not in action
    assert "msteams" not in json.dumps(card)  # no mention entities or Teams-specific payloads


def test_e44_hostile_text_keeps_the_template(teams: TeamsRig) -> None:
    plain = to_card(shipped_advisor().handle(Query("should I join this group?")), LABELS, quote="q")
    for n, text in enumerate(HOSTILE):
        teams.post(activity("message_personal", id=f"h{n}", text=f"should I join this group? {text}"))
        teams.post(activity("message_personal", id=f"c{n}", text=f"checklist {text}"))
    replies = teams.connector.wait_for(2 * len(HOSTILE), timeout=20)
    assert len(replies) == 2 * len(HOSTILE)
    for reply in replies:
        assert "entities" not in reply or not reply["entities"]
        check_card(reply["attachments"][0]["content"])
    quoted = to_card(
        shipped_advisor().handle(Query("should I join this group? [click](https://evil.example)")),
        LABELS,
        quote="[click](https://evil.example)",
    )
    assert len(quoted["body"]) == len(plain["body"]) and len(quoted["actions"]) == len(plain["actions"])
    assert quoted["body"][0]["text"] == "“\\[click\\]\\(https://evil\\.example\\)”"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40)), max_size=5).map("".join))
def test_e44_property(text: str) -> None:
    answer = shipped_advisor().handle(Query(text))
    check_card(to_card(answer, LABELS, quote=text))
    assert "\\" not in escape("plain words 123") and escape("a[b]") == "a\\[b\\]"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(
        ["message", "conversationUpdate", "invoke", "event", "typing", "messageReaction", "x"]
    ),
    text=st.one_of(st.none(), st.text(max_size=200)),
    value=json_values,
    extra=st.dictionaries(
        st.sampled_from(["entities", "channelData", "attachments", "membersAdded", "replyToId"]),
        json_values,
        max_size=3,
    ),
)
def test_h63_activity_fuzz(
    teams: TeamsRig, kind: str, text: str | None, value: Any, extra: dict[str, Any]
) -> None:
    body = activity("message_personal", type=kind, text=text, value=value, id=f"fz{abs(hash((kind, text)))}")
    body.update(extra)
    status = teams.post(body).status
    # botbuilder answers an invoke it does not implement with 501; the advisor's cards use
    # Action.Submit, which arrives as a message.
    allowed = {200, 201, 400, 401, 403, 415} | ({501} if kind == "invoke" else set())
    assert status in allowed, status
    for reply in teams.connector.replies:
        for attachment in reply.get("attachments") or []:
            check_card(attachment["content"])


def sent_bodies(teams: TeamsRig, answer: Any, lang: str, quote: str | None) -> tuple[Any, Any]:
    """An outgoing activity as CloudAdapter sends it, serialized by msrest and by the adapter."""
    from botbuilder.core import TurnContext
    from botbuilder.schema import Activity
    from botframework.connector import models
    from msrest import Serializer

    from adapters.teams.auth import CardSerializer

    incoming = Activity().deserialize(activity("message_personal") | {"serviceUrl": teams.service_url})
    outgoing = TurnContext.apply_conversation_reference(
        teams.adapter.bot.render(answer, lang, quote), TurnContext.get_conversation_reference(incoming)
    )
    outgoing.reply_to_id = incoming.id
    plain = Serializer({k: v for k, v in models.__dict__.items() if isinstance(v, type)})
    return CardSerializer().body(outgoing, "Activity"), plain.body(outgoing, "Activity")


def test_cards_go_into_the_request_exactly_as_msrest_would_put_them(teams: TeamsRig) -> None:
    advisor = shipped_advisor()
    queries = [
        Query("may I install the LinkedIn app on my work laptop?"),
        Query("should I join this facebook group?"),
        Query("מי צריך לראות את פרטי העסק שלי?"),
        Query("what is the weather tomorrow"),
        Query("", topic="help", lang="he"),
        Query("", checklist="", lang="en"),
        Query("", checklist="install-app", lang="he"),
        Query("", checklist="install-app", ticked=frozenset({"0", "2"}), lang="en"),
    ]
    for query in queries:
        answer = advisor.handle(query)
        ours, theirs = sent_bodies(teams, answer, answer.lang, query.text or None)
        assert ours == theirs and json.dumps(ours) == json.dumps(theirs)
    ours, theirs = sent_bodies(teams, None, "he", None)  # the apology: text, no card
    assert ours == theirs and "attachments" not in ours


@given(st.text(max_size=300))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_quoted_question_serializes_as_msrest_would(teams: TeamsRig, text: str) -> None:
    answer = shipped_advisor().handle(Query(text or "x"))
    ours, theirs = sent_bodies(teams, answer, answer.lang, text)
    assert ours == theirs
