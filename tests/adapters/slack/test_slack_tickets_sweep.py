"""Changes the server did not make reach the Slack owner's card and the asker, through the real
server's sweep against the recording stand-in for Slack's Web API: a ticket answered and closed
with `advisor tickets` on the command line, once; a change the server's own listener told is not
told again by the sweep; two replicas on one PostgreSQL tell the asker once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from adapters.cli import app
from bot import Settings
from bot.querylog.pseudonyms import Pseudonymizer
from bot.querylog.sql import SqlQueryLog
from bot.tickets.desk import Desk
from bot.tickets.marks import seen, told
from bot.tickets.records import Ticket
from bot.tickets.sql import SqlTicketStore
from tests.adapters.slack.test_slack_tickets import OWNER, OWNERS, rig_metric, text, wait
from tests.slackkit import SlackRig

OPTIONS = {"slack_owner_channel": OWNERS, "digest_enabled": False, "answer_sweep_seconds": 0.2}
ANSWER = "Yes, once it is announced."


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[SlackRig]:
    made = SlackRig(tmp_path, **OPTIONS)
    yield made
    made.close()


def ask(rig: SlackRig) -> Ticket:
    """Alex asks with `/advisor ask-owner` in a channel (news to their DM); the card is posted."""
    rig.command("ask-owner may I post our roadmap?", user_id="U0001", user_name="alex")
    modal = wait(lambda: rig.api.of("views.open"))[-1]["view"]
    rig.submit(modal["callback_id"], modal["private_metadata"], {"question": "may I post our roadmap?"})
    wait(lambda: news(rig, "ticket #1"))
    return wait(lambda: "ts" in (ticket(rig).cards.get("slack") or {}) and ticket(rig))  # type: ignore[no-any-return]


def ticket(rig: SlackRig) -> Ticket:
    found = rig.service.desk.get(1)
    assert found is not None
    return found


def news(rig: SlackRig, words: str) -> list[dict[str, Any]]:
    """What the asker was sent (their DM) holding ``words``."""
    return [p for p in rig.api.of("chat.postMessage") if p.get("channel") == "U0001" and words in text(p)]


def updates(rig: SlackRig, words: str) -> list[dict[str, Any]]:
    return [u for u in rig.api.of("chat.update") if words in text(u)]


def tickets_command(settings: Settings, *args: str) -> None:
    """`advisor tickets ...` as another process runs it on a server's database: its own desk,
    no server listening."""
    env = {
        "ADVISOR_ENV": "development",
        "ADVISOR_DATA_DIR": str(settings.data_dir),
        "ADVISOR_DATABASE_URL": str(settings.database_url),
    }
    result = CliRunner().invoke(app, ["tickets", *args], env=env)
    assert result.exit_code == 0, result.output


def test_an_answer_from_the_command_line_reaches_the_asker_and_the_card_once(rig: SlackRig) -> None:
    card = ask(rig)
    tickets_command(rig.settings, "answer", "1", ANSWER, "--by", "Dana", "--lang", "en")
    [told_answer] = wait(lambda: news(rig, ANSWER))
    assert "the policy owner answered" in text(told_answer) and "ticket-rate" in str(told_answer)
    [update] = wait(lambda: updates(rig, "Ticket #1 · answered"))
    assert update["ts"] == card.cards["slack"]["ts"] and "answered by Dana" in text(update)
    tickets_command(rig.settings, "close", "1", "--by", "Dana")
    wait(lambda: news(rig, "is closed"))
    wait(lambda: updates(rig, "Ticket #1 · closed"))
    rig.settle(1.0)  # several sweeps
    assert len(news(rig, ANSWER)) == 1 and len(news(rig, "is closed")) == 1
    assert len(updates(rig, "Ticket #1 · answered")) == 1 and len(updates(rig, "Ticket #1 · closed")) == 1
    done = ticket(rig)
    assert seen(done, "slack") == told(done) == len(done.history) == 3
    owners = [p for p in rig.api.of("chat.postMessage") if p.get("channel") == OWNERS]
    assert len(owners) == 1  # the card was updated, never posted again


def test_the_listener_tells_a_change_and_the_sweep_does_not_tell_it_again(rig: SlackRig) -> None:
    ask(rig)
    rig.click("advisor:ticket-assign", {"n": 1}, user=OWNER, channel={"id": OWNERS, "name": "owners"})
    wait(lambda: news(rig, "dana is looking"))
    wait(lambda: updates(rig, "assigned by dana"))
    rig.settle(1.0)  # several sweeps
    assert len(news(rig, "dana is looking")) == 1 and len(updates(rig, "assigned by dana")) == 1


def test_a_news_that_could_not_be_sent_is_sent_by_a_later_sweep(rig: SlackRig) -> None:
    ask(rig)
    rig.api.fail("chat.postMessage", (200, {}))  # Slack refuses the next message
    Desk(rig.service.desk.store, Pseudonymizer(b"k" * 32)).act(1, "assign", "Dana")
    wait(lambda: len(news(rig, "Dana is looking")) == 2)  # refused, then sent by a later sweep
    rig.settle(0.6)
    assert len(news(rig, "Dana is looking")) == 2 and told(ticket(rig)) == 2
    assert rig_metric(rig, "advisor_ticket_news_failures") == 1.0


def test_two_replicas_sweeping_one_postgresql_tell_the_asker_once(tmp_path: Path, pg_url: str) -> None:
    first = SlackRig(tmp_path / "a", database_url=pg_url, **OPTIONS)
    second = SlackRig(tmp_path / "b", database_url=pg_url, slack=first, **OPTIONS)
    elsewhere = SqlQueryLog(pg_url)
    try:
        ask(first)
        desk = Desk(SqlTicketStore(elsewhere.engine), Pseudonymizer(b"k" * 32))  # no listeners
        for action, by, words in (("assign", "Dana", "Dana is looking"), ("close", "Dana", "is closed")):
            desk.act(1, action, by)
            wait(lambda words=words: news(first, words))  # type: ignore[misc]
        first.settle(1.0)
        second.settle()
        assert len(news(first, "Dana is looking")) == 1 and len(news(first, "is closed")) == 1
        assert len(updates(first, "Ticket #1 · closed")) >= 1
        done = ticket(first)
        assert told(done) == seen(done, "slack") == len(done.history)
    finally:
        elsewhere.engine.dispose()
        second.close()
        first.close()
