"""The owner's Answer modal in Slack teaches the advisor too, through the real Bolt app on the
real server against the recording stand-in for Slack's Web API: the question as an example of
the ticket's topic, the answer published with its verdict, and a refusal shown in the modal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.adapters.slack.test_slack_tickets import OWNER, OWNERS, wait
from tests.adapters.web.test_web_tickets import opened
from tests.slackkit import SlackRig


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[SlackRig]:
    made = SlackRig(tmp_path, slack_owner_channel=OWNERS, ticket_retry_seconds=0.2, digest_enabled=False)
    yield made
    made.close()


def answer_modal(rig: SlackRig, number: int) -> dict[str, Any]:
    before = len(rig.api.of("views.open"))
    rig.click("advisor:ticket-answer", {"n": number}, user=OWNER, channel={"id": OWNERS, "name": "owners"})
    views: list[dict[str, Any]] = wait(lambda: rig.api.of("views.open")[before:])
    return views[-1]["view"]


def choices(view: dict[str, Any]) -> list[str]:
    [block] = [b for b in view["blocks"] if b.get("block_id") == "learn"]
    assert block["optional"] is True
    return [o["value"] for o in block["element"]["options"]]


def test_the_answer_modal_adds_an_example_and_publishes(rig: SlackRig) -> None:
    desk, teacher = rig.service.desk, rig.service.teacher
    alumni = opened(
        desk, "a", "is the alumni whatsapp group of my university ok to be in", topic="join-groups"
    )
    view = answer_modal(rig, alumni)
    assert choices(view) == ["example", "publish-yes", "publish-no", "publish-caution", "publish-info"]
    sent = rig.submit(
        view["callback_id"],
        view["private_metadata"],
        {"answer": "With care.", "lang": "=en", "learn": "=example"},
        OWNER,
    )
    assert sent.status == 200 and not sent.body
    [example] = wait(lambda: teacher.learned().examples)
    assert (example.topic, example.by, example.ticket) == ("join-groups", "dana", alumni)

    launch = opened(desk, "b", "may I livestream our product launch on TikTok?")
    view = answer_modal(rig, launch)
    assert choices(view)[0] == "publish-yes"  # no topic: nothing to add an example to
    rig.submit(
        view["callback_id"],
        view["private_metadata"],
        {"answer": "No: our channels only.", "lang": "=en", "learn": "=publish-no"},
        OWNER,
    )
    [entry] = wait(lambda: teacher.learned().entries)
    assert (entry.topic, entry.verdict, entry.by) == (f"owner-{launch}", "no", "dana")
    assert entry.variants == {"en": ("may I livestream our product launch on TikTok?",), "he": ()}
    assert entry.answer == {"en": "No: our channels only."}

    plain = opened(desk, "c", "may I join a group?", topic="join-groups")
    view = answer_modal(rig, plain)
    rig.submit(
        view["callback_id"], view["private_metadata"], {"answer": "Yes, with care.", "lang": "=en"}, OWNER
    )
    wait(lambda: getattr(desk.get(plain), "status", None) == "answered")
    assert len(teacher.learned().examples) == 1 and len(teacher.learned().entries) == 1


def refusal(rig: SlackRig, number: int, answer: str, lang: str = "en") -> str:
    """What the modal says under the answer when the owner adds it to the greeting topic."""
    view = answer_modal(rig, number)
    values = {"answer": answer, "lang": f"={lang}", "learn": "=example"}
    refused = rig.submit(view["callback_id"], view["private_metadata"], values, OWNER)
    said: str = json.loads(refused.body)["errors"]["answer"]
    return said


def test_what_cannot_be_learned_is_said_in_the_modal_and_the_answer_kept(rig: SlackRig) -> None:
    desk = rig.service.desk
    hello = opened(desk, "d", "hi there advisor", topic="greeting")
    said = refusal(rig, hello, "Hello!")
    assert said == f"Ticket #{hello} is answered, but not learned: greeting is not an advice topic"
    stored = desk.get(hello)
    assert stored is not None and stored.answer == "Hello!"
    assert rig.service.teacher.learned().examples == ()


@pytest.mark.parametrize(("locale", "answer"), [("he-IL", "Hello!"), (None, "שלום!")])
def test_a_refusal_is_said_in_the_owners_locale_else_in_the_language_they_typed(
    rig: SlackRig, locale: str | None, answer: str
) -> None:
    if locale is not None:
        rig.api.users = {OWNER["id"]: {"locale": locale}}
    hello = opened(rig.service.desk, "e", "hi there advisor", topic="greeting")
    said = refusal(rig, hello, answer)
    assert said == f"פנייה מס' {hello} נענתה, אבל לא נלמדה: greeting אינו נושא של עצה"


def test_an_english_locale_wins_over_hebrew_typed(rig: SlackRig) -> None:
    rig.api.users = {OWNER["id"]: {"locale": "en-US"}}
    hello = opened(rig.service.desk, "f", "hi there advisor", topic="greeting")
    said = refusal(rig, hello, "שלום!", "he")
    assert said == f"Ticket #{hello} is answered, but not learned: greeting is not an advice topic"
