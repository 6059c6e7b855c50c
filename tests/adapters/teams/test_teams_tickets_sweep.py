"""Changes the Teams server did not make reach the Teams owner's card and the asker through its
sweep, against the Bot Connector stand-in: an answer given with `advisor tickets` on the command
line, once; and, with a Slack server and a Teams server on one PostgreSQL, what an owner does in
one platform reaches the other's card, and the asker hears it once, where they asked."""

from __future__ import annotations

import time
from pathlib import Path

from bot.tickets.marks import seen, told
from bot.tickets.records import Ticket
from tests.adapters.slack.test_slack_tickets import OWNER
from tests.adapters.slack.test_slack_tickets import OWNERS as SLACK_OWNERS
from tests.adapters.slack.test_slack_tickets import wait as slack_wait
from tests.adapters.slack.test_slack_tickets_sweep import ask, news, tickets_command, updates
from tests.adapters.teams.test_teams_tickets import (
    OWNERS,
    PERSONAL,
    action,
    as_owner,
    ask_and_send,
    card_of,
    texts,
)
from tests.slackkit import SlackRig
from tests.teamskit import TeamsRig

OPTIONS = {"teams_owner_channel": OWNERS, "digest_enabled": False, "answer_sweep_seconds": 0.2}
ANSWER = "Yes, once it is announced."


def caught_up(ticket: Ticket | None, *platforms: str) -> bool:
    """Every card (Teams' by default) and the asker marked as following the whole history."""
    done = 0 if ticket is None else len(ticket.history)
    return (
        ticket is not None
        and told(ticket) == done
        and all(seen(ticket, p) == done for p in platforms or ("teams",))
    )


def test_an_answer_from_the_command_line_reaches_the_asker_and_the_card_once(tmp_path: Path) -> None:
    rig = TeamsRig(tmp_path, **OPTIONS)
    try:
        ask_and_send(rig)
        card_id = rig.connector.until(lambda: (rig.service.desk.get(1).cards.get("teams") or {}).get("ts"))  # type: ignore[union-attr]
        tickets_command(rig.settings, "answer", "1", ANSWER, "--by", "Dana", "--lang", "en")

        def answers() -> list[dict[str, object]]:
            return [
                r for r in rig.connector.to(PERSONAL) if r.get("attachments") and ANSWER in texts(card_of(r))
            ]

        [told_answer] = rig.connector.until(answers)
        assert action(card_of(told_answer), "ticket-rate")["data"]["n"] == 1
        answered = rig.connector.until(
            lambda: [u for u in rig.connector.updates if "answered by Dana" in texts(card_of(u))]
        )
        assert answered[0]["_activity"] == card_id and answered[0]["_conversation"] == OWNERS
        rig.connector.until(lambda: caught_up(rig.service.desk.get(1)))
        time.sleep(1.0)  # several sweeps
        assert len(answers()) == 1 and len(rig.connector.to(OWNERS)) == 1
        assert len([u for u in rig.connector.updates if "answered by Dana" in texts(card_of(u))]) == 1
    finally:
        rig.close()


def test_a_change_made_in_one_platform_reaches_the_others_card_and_the_asker_once(
    tmp_path: Path, pg_url: str
) -> None:
    slack = SlackRig(
        tmp_path / "slack",
        database_url=pg_url,
        slack_owner_channel=SLACK_OWNERS,
        digest_enabled=False,
        answer_sweep_seconds=0.2,
    )
    teams = TeamsRig(tmp_path / "teams", database_url=pg_url, **OPTIONS)
    try:
        ask(slack)  # asked in Slack: the Teams server's sweep posts its card
        teams_card = card_of(teams.connector.until(lambda: teams.connector.to(OWNERS))[0])
        assert "Ticket #1 · open" in texts(teams_card)
        teams.connector.until(lambda: "ts" in (teams.service.desk.get(1).cards.get("teams") or {}))  # type: ignore[union-attr]

        # Assigned in Slack: the Slack server tells the asker; the Teams card follows.
        slack.click("advisor:ticket-assign", {"n": 1}, user=OWNER, channel={"id": SLACK_OWNERS, "name": "o"})
        assigned = teams.connector.until(
            lambda: [u for u in teams.connector.updates if "assigned by dana" in texts(card_of(u))]
        )
        assert assigned[0]["_conversation"] == OWNERS

        # Answered in Teams: the Slack server's sweep updates its card and tells the asker.
        as_owner(teams, {"advisor": "ticket-answer", "n": 1, "answer": ANSWER, "lang": "en"})
        [answered] = slack_wait(lambda: news(slack, ANSWER))
        assert "the policy owner answered" in " ".join(str(v) for v in answered.values())
        slack_wait(lambda: updates(slack, "answered by Dana Owner"))
        slack.settle(1.0)  # several sweeps of both servers
        assert len(news(slack, "dana is looking")) == 1 and len(news(slack, ANSWER)) == 1
        assert teams.connector.to(PERSONAL) == []  # the asker is in Slack: Teams tells nobody
        assert len(teams.connector.to(OWNERS)) == 1 and len(updates(slack, "answered by Dana Owner")) == 1
        teams.connector.until(lambda: caught_up(slack.service.desk.get(1), "slack", "teams"))
        assert len(slack.service.desk.get(1).history) == 3  # type: ignore[union-attr]
    finally:
        teams.close()
        slack.close()
