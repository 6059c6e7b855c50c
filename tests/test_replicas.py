"""Three real `advisor serve` processes on one PostgreSQL: the same delivery sent to all three
at the same moment is answered once and logged once (catalogue G55 at the size of one test)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.sqllog import SqlQueryLog

from .live import Loop, send, signed_headers
from .slack_api import SlackApi
from .slackkit import fixture
from .teamskit import Connector, activity
from .test_operations import free_port

ROOT = Path(__file__).resolve().parent.parent
SECRET = "replica-signing-secret"
EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


@pytest.fixture
def replicas(pg_url: str, tmp_path: Path) -> Iterator[tuple[list[int], SlackApi, Connector, str]]:
    loop = Loop()
    api, connector = SlackApi(), Connector()
    api_port = loop.serve(api.app())
    connector.port = loop.serve(connector.app())
    SqlQueryLog(pg_url).upgrade()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ADVISOR_", "SLACK_", "Microsoft"))}
    base |= {
        "ADVISOR_ENV": "development",
        "ADVISOR_DATABASE_URL": pg_url,
        "ADVISOR_REPLICAS": "3",
        "ADVISOR_PSEUDONYM_KEY": "replica-pseudonym-key-" * 2,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": "xoxb-replica",
        "ADVISOR_SLACK_API_URL": f"http://127.0.0.1:{api_port}/api/",
        "ADVISOR_TEAMS_ENABLED": "true",
        "ADVISOR_LOG_FLUSH_SECONDS": "0.05",
    }
    processes, ports = [], []
    for n in range(3):
        port = free_port()
        env = base | {"ADVISOR_DATA_DIR": str(tmp_path / f"replica{n}")}
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "adapters.cli", "serve", "--port", str(port)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        ports.append(port)
    try:
        for port in ports:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if send(port, "/readyz", method="GET", timeout=2).status == 200:
                        break
                except OSError:
                    time.sleep(0.2)
        yield ports, api, connector, pg_url
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)
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
