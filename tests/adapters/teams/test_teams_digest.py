"""The weekly digest in the Teams owners' channel, through the real server against the Bot
Connector stand-in: the card with the week's figures and links, sent once by one of two replicas
on one SQLite file, once for Slack and once for Teams on one database, and sent again at the
next look when the owners' channel could not be reached."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.server import SLACK
from adapters.teams.digest import digest_card
from bot.querylog.report import Cluster
from bot.tickets.digest import Digest, ledger_key, waited
from bot.tickets.sql import SqlDigestLedger
from tests.adapters.slack.test_slack_digest import sunday_night
from tests.adapters.teams.test_teams_tickets import OWNERS, card_of, say
from tests.live import Loop
from tests.slack_api import SlackApi
from tests.slackkit import SECRET
from tests.teamskit import TeamsRig

DUE = {"teams_owner_channel": OWNERS, "digest_weekday": 6, "digest_hour": 23}
SLACK_OWNERS = "C0OWNERS"
HEAD = "Advisor weekly digest"


def body_texts(card: dict[str, Any]) -> list[str]:
    """The card's text blocks as people read them (the markdown escapes and entities undone)."""
    return [
        html.unescape(re.sub(r"\\(.)", r"\1", e["text"])) for e in card["body"] if e["type"] == "TextBlock"
    ]


def facts(card: dict[str, Any]) -> dict[str, str]:
    [fact_set] = [e for e in card["body"] if e["type"] == "FactSet"]
    return {f["title"]: f["value"] for f in fact_set["facts"]}


def links(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]


def digest_cards(rig: TeamsRig) -> list[dict[str, Any]]:
    posted = [card_of(r) for r in rig.connector.to(OWNERS) if r.get("attachments")]
    return [c for c in posted if body_texts(c)[0].startswith(HEAD)]


def send(rig: TeamsRig, when: datetime) -> bool:
    sender = rig.adapter.digest
    sender.clock = lambda: when
    sent: bool = rig.loop.run(sender.send_if_due())
    return sent


def test_the_card_has_the_weeks_figures_its_open_tickets_and_links_to_the_dashboard(tmp_path: Path) -> None:
    rig = TeamsRig(tmp_path, public_url="https://advisor.example.com/", **DUE)
    try:
        say(rig, "what is the weather tomorrow")
        say(rig, "what is the weather tomorrow?")
        rig.connector.until(lambda: len(rig.rows()) == 2)
        draft = rig.service.desk.prepare(key="k", channel="cli", question="may I?", user_id="U1", urgent=True)
        assert draft is not None
        ticket, _ = rig.service.desk.open(draft)
        later = sunday_night()
        assert send(rig, later) is True
        [posted] = [r for r in rig.connector.to(OWNERS) if HEAD in str(r.get("summary"))]
        assert posted["summary"] == f"{HEAD} · {later.strftime('%G-W%V')}: 2 questions"
        card = card_of(posted)
        head, tickets, cluster = body_texts(card)
        assert head == f"{HEAD} · {later.strftime('%G-W%V')}"
        assert facts(card) == {
            "Questions": "2",
            "Answered": "0",
            "Declined": "2",
            "Asked back": "0",
            "Not helpful": "0",
        }
        assert tickets == f"1 open tickets (1 urgent), the oldest waiting {waited(later - ticket.opened_at)}"
        assert re.fullmatch(r"2 × “what is the weather tomorrow\??” \(nearest: [\w-]+\)", cluster)
        since, until = (later - timedelta(days=7)).date(), later.date()
        assert links(card) == [
            {
                "type": "Action.OpenUrl",
                "title": "Open in /admin",
                "url": f"https://advisor.example.com/admin?since={since}&until={until}#unanswered",
            }
        ]
        assert send(rig, later + timedelta(minutes=5)) is False
        assert len(digest_cards(rig)) == 1 and rig.adapter.digest.sent == 1
    finally:
        rig.close()


def test_a_wait_is_told_in_hours_then_in_days() -> None:
    assert [waited(timedelta(hours=h, minutes=59)) for h in (0, 47, 48, 75)] == ["0 h", "47 h", "2 d", "3 d"]


def test_a_question_is_shown_as_typed_and_bounded_and_without_a_public_url_there_is_no_button() -> None:
    typed = "may I post **this** [here](https://evil.example)? <b>" + "x" * 300
    now = datetime(2026, 11, 29, 23, tzinfo=UTC)
    digest = Digest(
        "2026-W48", now - timedelta(days=7), now, 1, {"declined": 1}, 0, [], [Cluster(1, "en", None, [typed])]
    )
    card = digest_card(digest, "")
    assert card["version"] == "1.5" and not links(card) and "actions" not in card
    line = body_texts(card)[-1]
    assert line == f"1 × “{typed[:200]}” (nearest: none)"
    raw = card["body"][-1]["text"]
    assert "**this**" not in raw and "[here](" not in raw and "<b>" not in raw
    assert body_texts(card)[1] == "0 open tickets"


def test_two_replicas_on_one_sqlite_file_send_one_digest(tmp_path: Path) -> None:
    options = DUE | {"database_url": f"sqlite:///{tmp_path / 'shared.db'}"}
    first = TeamsRig(tmp_path / "a", **options)
    second = TeamsRig(tmp_path / "b", peer=first, **options)
    try:
        later = sunday_night()
        assert sorted([send(first, later), send(second, later)]) == [False, True]
        assert send(first, later) is False and send(second, later) is False
        assert len(digest_cards(first)) == 1
        assert first.adapter.digest.sent + second.adapter.digest.sent == 1
    finally:
        second.close()
        first.close()


@pytest.fixture
def both(tmp_path: Path) -> Iterator[tuple[TeamsRig, SlackApi]]:
    """One server with Slack and Teams, each with its owners' channel; Slack is a stand-in too."""
    loop, api = Loop(), SlackApi()
    port = loop.serve(api.app())
    rig = TeamsRig(
        tmp_path,
        slack_signing_secret=SECRET,
        slack_bot_token="xoxb-test",
        slack_api_url=f"http://127.0.0.1:{port}/api/",
        slack_owner_channel=SLACK_OWNERS,
        **DUE,
    )
    yield rig, api
    rig.close()
    loop.close()


def slack_digests(api: SlackApi) -> list[dict[str, Any]]:
    return [p for p in api.of("chat.postMessage") if str(p.get("text", "")).startswith(HEAD)]


def slack_send(rig: TeamsRig, when: datetime) -> bool:
    sender = rig.app[SLACK].digest
    sender.clock = lambda: when
    sent: bool = rig.loop.run(sender.send_if_due())
    return sent


def test_slack_and_teams_on_one_database_each_send_their_digest_once(both: tuple[TeamsRig, SlackApi]) -> None:
    rig, api = both
    later = sunday_night()
    assert slack_send(rig, later) is True and send(rig, later) is True
    assert slack_send(rig, later) is False and send(rig, later) is False
    [posted] = slack_digests(api)
    assert posted["channel"] == SLACK_OWNERS and len(digest_cards(rig)) == 1


def test_a_week_slack_recorded_before_teams_had_a_digest_is_still_slacks(
    both: tuple[TeamsRig, SlackApi],
) -> None:
    rig, api = both
    later = sunday_night()
    week = later.strftime("%G-W%V")
    ledger = SqlDigestLedger(rig.service.store.engine, rig.service.store.write_lock)
    assert ledger.claim(week, later - timedelta(hours=1))
    assert ledger_key("slack", week) == week
    assert slack_send(rig, later) is False and send(rig, later) is True
    assert slack_digests(api) == [] and len(digest_cards(rig)) == 1


def test_an_owners_channel_that_cannot_be_reached_gets_the_digest_at_the_next_look(tmp_path: Path) -> None:
    rig = TeamsRig(tmp_path, **DUE)
    try:
        later = sunday_night()
        rig.connector.down.add(OWNERS)
        assert send(rig, later) is False
        assert rig.connector.refused >= 1 and digest_cards(rig) == []
        rig.connector.down.discard(OWNERS)
        assert send(rig, later) is True
        assert send(rig, later) is False
        assert len(digest_cards(rig)) == 1 and rig.adapter.digest.sent == 1
    finally:
        rig.close()
