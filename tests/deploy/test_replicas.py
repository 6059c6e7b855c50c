"""Three real `advisor serve` processes on one PostgreSQL: the same delivery sent to all three
at the same moment is answered once and logged once (catalogue G55 at the size of one test)."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.cli.processes import clean_env, free_port, start_server, wait_ready
from bot.querylog.sql import SqlQueryLog
from tests.live import Loop, send, signed_headers
from tests.slack_api import SlackApi
from tests.slackkit import fixture
from tests.teamskit import Connector, activity

SECRET = "replica-signing-secret"
EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def start_replicas(
    pg_url: str, tmp_path: Path, count: int, **env: str
) -> tuple[list[subprocess.Popen[bytes]], list[int]]:
    """``count`` real ``advisor serve`` processes on one PostgreSQL, ready to serve."""
    ports = [free_port() for _ in range(count)]
    processes = [
        start_replica(pg_url, tmp_path / f"replica{n}", port, count, **env) for n, port in enumerate(ports)
    ]
    for port in ports:
        wait_ready(port)
    return processes, ports


def start_replica(pg_url: str, data_dir: Path, port: int, count: int, **env: str) -> subprocess.Popen[bytes]:
    base = clean_env()
    base |= {
        "ADVISOR_ENV": "development",
        "ADVISOR_DATABASE_URL": pg_url,
        "ADVISOR_REPLICAS": str(count),
        "ADVISOR_PSEUDONYM_KEY": "replica-pseudonym-key-" * 2,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": "xoxb-replica",
        "ADVISOR_LOG_FLUSH_SECONDS": "0.05",
        "ADVISOR_DATA_DIR": str(data_dir),
        **env,
    }
    process: subprocess.Popen[bytes] = start_server(port, base)
    return process


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        process.wait(30)


@pytest.fixture
def replicas(pg_url: str, tmp_path: Path) -> Iterator[tuple[list[int], SlackApi, Connector, str]]:
    loop = Loop()
    api, connector = SlackApi(), Connector()
    api_port = loop.serve(api.app())
    connector.port = loop.serve(connector.app())
    SqlQueryLog(pg_url).upgrade()
    processes, ports = start_replicas(
        pg_url,
        tmp_path,
        3,
        ADVISOR_SLACK_API_URL=f"http://127.0.0.1:{api_port}/api/",
        ADVISOR_TEAMS_ENABLED="true",
    )
    try:
        yield ports, api, connector, pg_url
    finally:
        stop(processes)
        loop.close()


def at_once(work: list[threading.Thread]) -> None:
    for thread in work:
        thread.start()
    for thread in work:
        thread.join(30)


def test_one_slack_delivery_to_three_replicas(replicas) -> None:  # type: ignore[no-untyped-def]
    ports, api, _, pg_url = replicas
    body = json.dumps(fixture("event_dm")).encode()
    barrier = threading.Barrier(6)
    statuses: list[int] = []

    def deliver(port: int, retry: int) -> None:
        headers = signed_headers(
            SECRET, int(time.time()), body, extra=[("X-Slack-Retry-Num", str(retry))] if retry else []
        )
        barrier.wait()
        statuses.append(send(port, "/slack/events", body, headers).status)

    at_once([threading.Thread(target=deliver, args=(p, r)) for p in ports for r in (0, 1)])
    assert statuses == [200] * 6
    api.wait_for(1, "chat.postMessage")
    time.sleep(1.5)
    assert len(api.of("chat.postMessage")) == 1
    assert len([q for q in SqlQueryLog(pg_url).questions(*EVER) if q.channel == "slack"]) == 1


def test_one_teams_activity_to_three_replicas(replicas) -> None:  # type: ignore[no-untyped-def]
    ports, _, connector, pg_url = replicas
    body = json.dumps(activity("message_personal", serviceUrl=f"http://127.0.0.1:{connector.port}/")).encode()
    barrier = threading.Barrier(3)
    statuses: list[int] = []

    def deliver(port: int) -> None:
        barrier.wait()
        statuses.append(send(port, "/api/messages", body, [("Content-Type", "application/json")]).status)

    at_once([threading.Thread(target=deliver, args=(p,)) for p in ports])
    assert len(statuses) == 3 and all(s in (200, 201) for s in statuses)
    connector.wait_for(1)
    time.sleep(1.5)
    assert len(connector.replies) == 1
    assert len([q for q in SqlQueryLog(pg_url).questions(*EVER) if q.channel == "teams"]) == 1


def answered_once(api: SlackApi, store: SqlQueryLog) -> None:
    """The direct message of the fixture got one reply and one log row, and nothing is left
    kept for another replica to answer."""
    [reply] = api.wait_for(1, "chat.postMessage", timeout=20)
    assert reply["channel"] == fixture("event_dm")["event"]["channel"]
    time.sleep(2)
    assert len(api.of("chat.postMessage")) == 1
    assert len([q for q in store.questions(*EVER) if q.channel == "slack"]) == 1
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM pending_answers").scalar() == 0


def test_a_message_acknowledged_by_a_replica_that_dies_is_answered_by_another(
    pg_url: str, tmp_path: Path
) -> None:
    """Replica A acknowledges a message and is killed (SIGKILL) while posting the answer; once
    A's lease ends, replica B answers it: one reply, one log row, nothing left pending. A starts
    again on its data directory at once: its journal still holds the message, but the claim
    says it is taken, so A does not answer it a second time."""
    loop = Loop()
    api = SlackApi()
    api_port = loop.serve(api.app())
    SqlQueryLog(pg_url).upgrade()
    settings = {
        "ADVISOR_SLACK_API_URL": f"http://127.0.0.1:{api_port}/api/",
        "ADVISOR_ANSWER_LEASE_SECONDS": "3",
        "ADVISOR_ANSWER_SWEEP_SECONDS": "0.5",
    }
    processes, ports = start_replicas(pg_url, tmp_path, 2, **settings)
    try:
        api.stall = 60
        body = json.dumps(fixture("event_dm")).encode()
        assert (
            send(ports[0], "/slack/events", body, signed_headers(SECRET, int(time.time()), body)).status
            == 200
        )
        deadline = time.monotonic() + 20
        while api.stalled == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert api.stalled == 1  # A is posting the answer
        processes[0].kill()
        processes[0].wait(10)
        api.stall = 0
        port = free_port()
        processes.append(start_replica(pg_url, tmp_path / "replica0", port, 2, **settings))
        wait_ready(port)
        answered_once(api, SqlQueryLog(pg_url))
    finally:
        stop(processes)
        loop.close()


def test_a_message_acknowledged_before_its_claim_landed_is_answered_after_a_restart(
    pg_url: str, tmp_path: Path
) -> None:
    """The claim that keeps a message for takeover is held up (the test locks the claims table),
    the replica acknowledges the message and is killed (SIGKILL) before the claim lands: nothing
    in the database knows of the message. Started again on the same data directory (a container
    restarted in its pod), the replica answers it from its journal: one reply, one log row."""
    loop = Loop()
    api = SlackApi()
    api_port = loop.serve(api.app())
    store = SqlQueryLog(pg_url)
    store.upgrade()
    settings = {"ADVISOR_SLACK_API_URL": f"http://127.0.0.1:{api_port}/api/"}
    # The claim would otherwise be given up on after 3 s and the message answered anyway.
    processes, [port] = start_replicas(pg_url, tmp_path, 1, ADVISOR_CLAIM_TIMEOUT_SECONDS="60", **settings)
    locker = store.engine.connect()
    try:
        transaction = locker.begin()
        locker.exec_driver_sql("LOCK TABLE delivery_claims IN ACCESS EXCLUSIVE MODE")
        body = json.dumps(fixture("event_dm")).encode()
        assert send(port, "/slack/events", body, signed_headers(SECRET, int(time.time()), body)).status == 200
        deadline = time.monotonic() + 20
        waiting = 0
        while waiting == 0 and time.monotonic() < deadline:
            with store.engine.connect() as connection:
                waiting = connection.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                ).scalar_one()
            time.sleep(0.05)
        assert waiting == 1  # the claim is on its way, held up by the lock
        processes[0].kill()
        processes[0].wait(10)
        transaction.rollback()
        time.sleep(1)
        assert api.of("chat.postMessage") == []
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM delivery_claims").scalar() == 0

        port = free_port()
        processes.append(start_replica(pg_url, tmp_path / "replica0", port, 1, **settings))
        wait_ready(port)
        answered_once(api, store)
    finally:
        locker.close()
        stop(processes)
        loop.close()
