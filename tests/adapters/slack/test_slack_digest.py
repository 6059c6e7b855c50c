"""The weekly digest in the Slack owners' channel: its figures, sent once by one of two replicas
on one PostgreSQL, and sent again later when Slack refused it (when it is due and the ledger:
``tests/bot/tickets/test_digest.py``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.server import SLACK
from tests.adapters.slack.test_slack_tickets import OWNERS, text, wait
from tests.slackkit import SlackRig


def sunday_night() -> datetime:
    """This ISO week's Sunday at 23:30 UTC: past the digest's hour in these tests."""
    now = datetime.now(UTC)
    monday = datetime.combine((now - timedelta(days=now.weekday())).date(), datetime.min.time(), tzinfo=UTC)
    return monday + timedelta(days=6, hours=23, minutes=30)


def digests(rig: SlackRig) -> list[dict[str, object]]:
    return [
        p
        for p in rig.api.of("chat.postMessage")
        if str(p.get("text", "")).startswith("Advisor weekly digest")
    ]


def test_two_replicas_send_one_digest_with_the_weeks_figures(tmp_path: Path, pg_url: str) -> None:
    options = {"slack_owner_channel": OWNERS, "public_url": "https://advisor.example.com"}
    # Due next Sunday at 23:00: nothing is sent when the replicas start.
    first = SlackRig(tmp_path / "a", database_url=pg_url, digest_weekday=6, digest_hour=23, **options)
    second = SlackRig(
        tmp_path / "b", database_url=pg_url, slack=first, digest_weekday=6, digest_hour=23, **options
    )
    try:
        first.command("what is the weather tomorrow")
        first.command("what is the weather tomorrow?")
        draft = first.service.desk.prepare(
            key="k", channel="cli", question="may I?", user_id="U1", urgent=True
        )
        assert draft is not None
        first.service.desk.open(draft)
        first.rows(2)
        later = sunday_night()
        senders = [rig.app[SLACK].digest for rig in (first, second)]
        for digest in senders:
            digest.clock = lambda: later
        sent = [first.loop.run(senders[0].send_if_due()), second.loop.run(senders[1].send_if_due())]
        assert sorted(sent) == [False, True]
        first.settle()
        [posted] = digests(first)
        body = text(posted)
        assert posted["channel"] == OWNERS and later.strftime("%G-W%V") in body
        assert "*2* questions" in body and "declined 2" in body
        assert "*1* open tickets (1 urgent)" in body and "what is the weather tomorrow" in body
        links = [b["accessory"]["url"] for b in posted["blocks"] if "accessory" in b]  # type: ignore[index, union-attr, operator]
        assert links and links[0].startswith("https://advisor.example.com/admin?since=")
        assert first.loop.run(senders[0].send_if_due()) is False
    finally:
        second.close()
        first.close()


def test_a_refused_digest_is_sent_at_the_next_look(tmp_path: Path) -> None:
    rig = SlackRig(tmp_path, slack_owner_channel=OWNERS, digest_weekday=6, digest_hour=23)
    try:
        sender = rig.app[SLACK].digest
        sender.clock = sunday_night
        rig.api.fail("chat.postMessage", (200, {}))
        assert rig.loop.run(sender.send_if_due()) is False
        assert rig.loop.run(sender.send_if_due()) is True
        wait(lambda: len(digests(rig)) == 2)  # the refused try and the one that got through
        assert rig.loop.run(sender.send_if_due()) is False
    finally:
        rig.close()
