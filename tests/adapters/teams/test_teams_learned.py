"""Into knowledge from the Teams owner's card: the answer form offers the question as an example
of the ticket's topic or the answer published with a verdict, through the real server and
CloudAdapter against the Bot Connector stand-in; a refusal is told in the owners' thread."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.adapters.teams.test_teams_tickets import (
    OWNERS,
    PERSONAL,
    action,
    as_owner,
    card_of,
    field,
    next_to,
    say,
    submit,
)
from tests.teamskit import TeamsRig

THREAD = f"{OWNERS};messageid=1800000000009"


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[TeamsRig]:
    made = TeamsRig(
        tmp_path,
        teams_owner_channel=OWNERS,
        ticket_retry_seconds=0.1,
        digest_enabled=False,
        matcher="lexical",
    )
    yield made
    made.close()


def ask(rig: TeamsRig, question: str) -> dict[str, object]:
    say(rig, f"ask-owner {question}")
    form = card_of(next_to(rig, PERSONAL, 1))
    submit(rig, action(form, "ticket-send")["data"] | {"question": question})
    card = card_of(next_to(rig, OWNERS, 1))
    [show] = [a for a in card["actions"] if a["type"] == "Action.ShowCard"]
    return dict(show["card"])


def test_the_owner_publishes_the_answer_from_the_card(rig: TeamsRig) -> None:
    form = ask(rig, "may I livestream our product launch on TikTok?")
    learn = field(form, "learn")  # type: ignore[arg-type]
    offered = [c["value"] for c in learn["choices"]]
    assert offered == ["", "publish-yes", "publish-no", "publish-caution", "publish-info"]
    assert learn["value"] == ""
    send = form["actions"][0]["data"]  # type: ignore[index]
    as_owner(
        rig,
        send
        | {"answer": "No: launches stream only on our own channels.", "lang": "en", "learn": "publish-no"},
    )
    assert next_to(rig, THREAD, 1)["text"] == "Ticket #1: Published as owner-1."
    [entry] = rig.service.teacher.learned().entries
    assert (entry.topic, entry.verdict, entry.by, entry.ticket) == ("owner-1", "no", "Dana Owner", 1)
    assert entry.answer == {"en": "No: launches stream only on our own channels."}
    # The same again (a second Send) is refused in the owners' thread, and nothing more is stored.
    as_owner(
        rig,
        send
        | {"answer": "No: launches stream only on our own channels.", "lang": "en", "learn": "publish-yes"},
    )
    assert next_to(rig, THREAD, 2)["text"].startswith("Ticket #1 is answered, but not learned:")
    assert len(rig.service.teacher.learned().entries) == 1


def test_only_answering_learns_nothing(rig: TeamsRig) -> None:
    form = ask(rig, "may I post our roadmap?")
    send = form["actions"][0]["data"]  # type: ignore[index]
    as_owner(rig, send | {"answer": "No: it is internal.", "lang": "en", "learn": ""})
    next_to(rig, PERSONAL, 3)  # the asker has the answer
    as_owner(rig, send | {"answer": "No: it is internal.", "lang": "en", "learn": "example"})
    learned = rig.service.teacher.learned()
    assert (learned.entries, learned.examples) == ((), ())
    assert rig.connector.to(THREAD) == []
