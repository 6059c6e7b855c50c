"""Catalogue B (13-20) and C (21-24): acknowledging, deduplicating and delivering."""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from adapters.slack.delivery import ResponseUrlBudget
from bot import Answer, Query
from tests.live import send, slow_claims
from tests.slackkit import EVER, SlackRig, fixture


def hold(rig: SlackRig) -> tuple[threading.Event, threading.Event]:
    """Answering waits until ``release`` is set (at most 30 s); ``started`` is set when an
    answer began."""
    started, release = threading.Event(), threading.Event()
    original = rig.service.advisor.handle

    def handle(query: Query) -> Answer:
        started.set()
        release.wait(30)
        return original(query)

    rig.service.advisor.handle = handle  # type: ignore[method-assign]
    return started, release


def test_b13_url_verification(slack: SlackRig) -> None:
    reply = slack.post(fixture("url_verification"))
    assert reply.status == 200 and reply.json() == {"challenge": fixture("url_verification")["challenge"]}
    unsigned = send(
        slack.port,
        "/slack/events",
        json.dumps(fixture("url_verification")).encode(),
        [("Content-Type", "application/json")],
    )
    assert unsigned.status == 401


def test_b14_acknowledged_while_the_answer_is_still_being_worked_on(slack: SlackRig) -> None:
    started, release = hold(slack)
    assert slack.post(fixture("event_dm")).status == 200
    assert started.wait(10)  # the acknowledgement came back while the answer is held
    assert slack.api.of("chat.postMessage") == []
    release.set()
    assert len(slack.api.wait_for(1, "chat.postMessage", timeout=10)) == 1
    slack.settle()
    assert len(slack.api.of("chat.postMessage")) == 1


def retry(rig: SlackRig, event: dict[str, Any], number: int) -> int:
    headers = [("X-Slack-Retry-Num", str(number)), ("X-Slack-Retry-Reason", "http_timeout")]
    return rig.post(event, headers=headers).status


def test_b15_retries_of_a_processed_event_get_no_second_reply(slack: SlackRig) -> None:
    started, release = hold(slack)
    event = fixture("event_dm")
    assert slack.post(event).status == 200
    assert started.wait(5)
    assert retry(slack, event, 1) == 200  # arrives while the original is still being answered
    release.set()
    slack.api.wait_for(1, "chat.postMessage")
    assert retry(slack, event, 2) == 200 and retry(slack, event, 3) == 200
    slack.settle()
    assert len(slack.api.of("chat.postMessage")) == 1 and len(slack.rows()) == 1


def test_b16_a_retry_whose_original_was_lost_is_answered(slack: SlackRig) -> None:
    assert retry(slack, fixture("event_dm"), 1) == 200
    slack.api.wait_for(1, "chat.postMessage")
    slack.settle()
    assert len(slack.api.of("chat.postMessage")) == 1 and len(slack.rows()) == 1


def test_b17_one_message_as_two_events_is_answered_once(slack: SlackRig) -> None:
    assert slack.post(fixture("event_mention")).status == 200
    assert slack.post(fixture("event_channel_message")).status == 200
    slack.api.wait_for(1, "chat.postMessage")
    slack.settle()
    assert len(slack.api.of("chat.postMessage")) == 1 and len(slack.rows()) == 1


def test_b17_two_replicas_on_one_postgresql(pg_url: str, tmp_path: Path) -> None:
    """Both events (and a retry) for the same message, sent to different replicas at once."""
    key = "shared-pseudonym-key-" * 2
    first = SlackRig(tmp_path / "a", database_url=pg_url, pseudonym_key=key)
    second = SlackRig(tmp_path / "b", database_url=pg_url, pseudonym_key=key, slack=first)
    try:
        barrier = threading.Barrier(3)

        def deliver(rig: SlackRig, event: dict[str, Any], headers: list[tuple[str, str]]) -> None:
            barrier.wait()
            assert rig.post(event, headers=headers).status == 200

        threads = [
            threading.Thread(target=deliver, args=(first, fixture("event_mention"), [])),
            threading.Thread(target=deliver, args=(second, fixture("event_channel_message"), [])),
            threading.Thread(
                target=deliver, args=(second, fixture("event_mention"), [("X-Slack-Retry-Num", "1")])
            ),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        first.api.wait_for(1, "chat.postMessage")
        first.settle()
        second.settle()
        assert len(first.api.of("chat.postMessage")) == 1
        assert len(first.rows(1)) == 1
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize(
    "name",
    [
        "event_own_message",
        "event_bot_message",
        "event_other_bot_user",
        "event_message_changed",
        "event_message_deleted",
    ],
)
def test_b18_bots_edits_and_deletions_are_not_questions(slack: SlackRig, name: str) -> None:
    assert slack.post(fixture(name)).status == 200
    slack.settle()
    assert slack.api.messages() == [] and slack.rows() == []


def test_b19_a_failure_after_the_ack_gets_one_apology(
    slack: SlackRig, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(query: Query) -> Answer:
        raise RuntimeError("knowledge base exploded")

    slack.service.advisor.handle = broken  # type: ignore[method-assign]
    with caplog.at_level(logging.INFO):
        assert slack.post(fixture("event_dm", text="secret question alice@example.com")).status == 200
        [post] = slack.api.wait_for(1, "chat.postMessage")
    assert post["text"].startswith("Sorry, something went wrong on my side")
    [row] = slack.rows(1)
    assert row.outcome == "error" and row.text == "secret question [email]"
    assert "alice@example.com" not in caplog.text and "secret question" not in caplog.text
    slack.settle()
    assert len(slack.api.of("chat.postMessage")) == 1


def test_answers_stay_out_of_the_log_even_at_debug_level(
    slack: SlackRig, caplog: pytest.LogCaptureFixture
) -> None:
    """slack-sdk formats each request and response (the whole answer) for its debug log; with
    the root logger at DEBUG, none of that reaches the log."""
    with caplog.at_level(logging.DEBUG):
        assert slack.post(fixture("event_dm", text="should I join this facebook group?")).status == 200
        [post] = slack.api.wait_for(1, "chat.postMessage")
        slack.settle()
    answer = post["blocks"][0]["text"]["text"]
    assert len(answer) > 20 and answer not in caplog.text
    assert "facebook group" not in caplog.text.lower()


def test_b20_overload_gets_503_that_slack_retries(tmp_path: Path) -> None:
    rig = SlackRig(tmp_path, max_inflight=1)
    try:
        started, release = hold(rig)
        assert rig.post(fixture("event_dm")).status == 200
        assert started.wait(5)
        busy = rig.post(fixture("event_mention"))
        assert busy.status == 503 and "X-Slack-No-Retry" not in busy.headers
        release.set()
        rig.api.wait_for(1, "chat.postMessage", timeout=10)
        rig.settle()
        assert rig.post(fixture("event_mention")).status == 200
        assert len(rig.api.wait_for(2, "chat.postMessage", timeout=10)) == 2
    finally:
        rig.close()


def test_c21_a_429_is_retried_after_retry_after(slack: SlackRig) -> None:
    slack.api.fail("chat.postMessage", (429, {"Retry-After": "2"}))
    slack.post(fixture("event_dm"))
    slack.api.wait_for(2, "chat.postMessage", timeout=15)
    calls = [c for c in slack.api.calls if c.method == "chat.postMessage"]
    assert len(calls) == 2 and calls[1].at - calls[0].at >= 2.0
    slack.settle()
    assert len([c for c in slack.api.calls if c.method == "chat.postMessage"]) == 2


def test_c22_messages_to_one_channel_are_paced(tmp_path: Path) -> None:
    rig = SlackRig(tmp_path, slack_channel_rate=10.0)
    try:
        for n in range(20):
            event = fixture("event_dm", ts=f"1700000100.{n:06d}")
            event["event_id"] = f"EvPACE{n}"
            assert rig.post(event).status == 200
        rig.api.wait_for(20, "chat.postMessage", timeout=20)
        times = sorted(c.at for c in rig.api.calls if c.method == "chat.postMessage")
        assert len(times) == 20
        assert times[-1] - times[0] >= (20 - 2) / 10.0 * 0.95
        gaps = [b - a for a, b in zip(times[2:], times[3:], strict=False)]
        assert min(gaps) >= 0.08
    finally:
        rig.close()


def test_c23_a_response_url_takes_five_posts_then_falls_back(slack: SlackRig) -> None:
    for _n in range(7):
        slack.click("advisor:topic:viral-promo", {"t": "viral-promo", "l": "en"}, ephemeral=True, hook="same")
    slack.api.wait_for(7, timeout=15)
    slack.settle()
    assert len(slack.api.of("respond:same")) == 5
    assert len(slack.api.of("chat.postEphemeral")) == 2


def test_c23_response_url_budget_expires_after_thirty_minutes() -> None:
    now = [0.0]
    budget = ResponseUrlBudget(clock=lambda: now[0])
    assert budget.take("u")
    now[0] = 29 * 60
    assert budget.take("u")
    now[0] = 30 * 60
    assert not budget.take("u")
    assert budget.take("other")


def test_c24_a_failing_api_is_retried_then_given_up(
    slack: SlackRig, caplog: pytest.LogCaptureFixture
) -> None:
    slack.api.fail("chat.postMessage", (503, {}), (500, {}))
    slack.post(fixture("event_dm"))
    slack.api.wait_for(3, "chat.postMessage", timeout=20)
    slack.settle()
    assert len(slack.api.of("chat.postMessage")) == 3  # two failures, then delivered once
    slack.api.fail("chat.postMessage", *[(500, {})] * 10)
    with caplog.at_level(logging.INFO):
        slack.post(fixture("event_mention", text="<@UADVISOR> secret words alice@example.com"))
        time.sleep(0.5)
        slack.settle(8)
    attempts = len(slack.api.of("chat.postMessage")) - 3
    assert attempts == 4  # the first try and three retries, no more
    assert "Slack delivery failed after retries: chat.postMessage" in caplog.text
    assert "secret words" not in caplog.text and "alice@example.com" not in caplog.text


def test_an_answered_message_is_let_go_of_only_once_its_log_record_is_safe(slack: SlackRig) -> None:
    """Until the log record of an answer is in the database (or the spool), its message stays
    kept: a replica killed in that moment leaves it to another, which logs it once."""
    store = slack.service.store
    written = threading.Event()
    real_write = store.write

    def slow_write(records: Any) -> None:
        written.wait(10)
        real_write(records)

    def kept() -> int:
        with store.engine.connect() as connection:
            return int(connection.exec_driver_sql("SELECT count(*) FROM pending_answers").scalar() or 0)

    store.write = slow_write  # type: ignore[method-assign]
    try:
        assert slack.post(fixture("event_dm")).status == 200
        slack.api.wait_for(1, "chat.postMessage")
        time.sleep(0.5)  # five release rounds
        assert kept() == 1
    finally:
        written.set()
    deadline = time.monotonic() + 10
    while kept() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert kept() == 0
    assert len(slack.service.store.questions(*EVER)) == 1


def test_a_question_is_on_disk_before_its_acknowledgement_and_gone_once_answered(tmp_path: Path) -> None:
    """Until its claim lands a message is known only here: the acknowledgement leaves after the
    journal has it (a process killed now is answered by its successor), and once the message is
    answered and let go of no file keeps it."""
    rig = SlackRig(tmp_path)
    journal = tmp_path / "journal" / "slack"
    landed = threading.Event()
    try:
        with slow_claims(rig.service.deliveries.claims, lambda: landed.wait(10)):
            assert rig.post(fixture("event_dm")).status == 200
            [path] = journal.glob("*.jsonl")
            assert path.stat().st_mode & 0o777 == 0o600
            [entry] = [json.loads(line) for line in path.read_text().splitlines()]
            assert entry["event"]["text"] == fixture("event_dm")["event"]["text"]
            assert entry["key"].endswith(fixture("event_dm")["event"]["ts"])
            assert rig.api.of("chat.postMessage") == []
            landed.set()
            rig.api.wait_for(1, "chat.postMessage", timeout=10)
        deadline = time.monotonic() + 10
        while list(journal.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert list(journal.iterdir()) == []
    finally:
        landed.set()
        rig.close()


def test_a_slow_database_does_not_hold_up_the_answer(tmp_path: Path) -> None:
    """The database takes 3 s to decide who answers: the answer goes out after the claim's
    deadline (0.3 s here) anyway, and the message is still kept and then let go of."""
    rig = SlackRig(tmp_path, claim_timeout_seconds=0.3)
    store = rig.service.store
    try:
        release = threading.Event()
        with slow_claims(rig.service.deliveries.claims, lambda: release.wait(30)):
            assert rig.post(fixture("event_dm")).status == 200
            # Out while the database has not yet said who answers.
            rig.api.wait_for(1, "chat.postMessage", timeout=10)
            release.set()
            rig.settle()
            assert len(rig.api.of("chat.postMessage")) == 1
            with store.engine.connect() as connection:
                assert connection.exec_driver_sql("SELECT count(*) FROM pending_answers").scalar() == 0
                assert connection.exec_driver_sql("SELECT count(*) FROM delivery_claims").scalar() == 1
            assert len(store.questions(*EVER)) == 1
    finally:
        rig.close()
