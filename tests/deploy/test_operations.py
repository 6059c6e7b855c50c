"""Operating the server as IT does: a real `advisor serve` process, signals and settings."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.cli.processes import clean_env, free_port, serve_command, wait_ready
from adapters.cli.processes import start_server as launch
from adapters.preflight import check_channels
from bot import ConfigError, load_settings
from bot.querylog.sql import SqlQueryLog
from tests.live import send
from tests.paths import ROOT

EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def start_server(tmp_path: Path, **env: str) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    base = clean_env(ADVISOR_ENV="development", ADVISOR_DATA_DIR=str(tmp_path), **env)
    process = launch(port, base, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if wait_ready(port):
        return process, port
    process.kill()
    raise AssertionError(process.stdout.read() if process.stdout else "server did not start")


def ask(port: int, question: str) -> int:
    body = json.dumps({"question": question}).encode()
    return send(port, "/api/ask", body, [("Content-Type", "application/json")]).status


@pytest.mark.parametrize("event_loop", ["uvloop", "asyncio"])
def test_sigterm_drains_then_exits_with_every_row_logged(tmp_path: Path, event_loop: str) -> None:
    process, port = start_server(
        tmp_path, ADVISOR_DRAIN_SECONDS="2", ADVISOR_SHUTDOWN_SECONDS="5", ADVISOR_EVENT_LOOP=event_loop
    )
    assert ask(port, "should I join this facebook group?") == 200
    process.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    ready = send(port, "/readyz", method="GET")
    assert ready.status == 503 and ready.json()["draining"] is True
    assert send(port, "/healthz", method="GET").status == 200
    answered = sum(ask(port, f"may I install the linkedin app? {n}") == 200 for n in range(10))
    assert answered == 10  # still serving while the load balancer takes it out of rotation
    assert process.wait(timeout=30) == 0
    output = process.stdout.read() if process.stdout else ""
    assert f"{event_loop} event loop" in output and "Advisor stopped" in output
    rows = SqlQueryLog(f"sqlite:///{tmp_path / 'advisor.db'}").questions(*EVER)
    assert len(rows) == 11


@pytest.mark.parametrize("access_log", ["true", "false"])
def test_the_servers_http_settings_reach_every_connection(tmp_path: Path, access_log: str) -> None:
    """The header limits and the access log setting apply to each connection `advisor serve`
    accepts (aiohttp silently drops handler settings it cannot take, and logs per connection)."""
    process, port = start_server(tmp_path, ADVISOR_ACCESS_LOG=access_log)
    try:
        long_header = [("X-Trace", "t" * 12_000)]  # over aiohttp's default 8,190, under ours
        assert send(port, "/healthz", headers=long_header, method="GET").status == 200
        assert send(port, "/healthz", headers=[("X-Trace", "t" * 20_000)], method="GET").status == 400
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    output = process.stdout.read() if process.stdout else ""
    assert "Failed to create request handler" not in output
    assert ('"GET /healthz HTTP/1.1" 200' in output) is (access_log == "true")


def test_sqlite_with_several_replicas_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="ADVISOR_REPLICAS=3 needs a shared database"):
        check_channels(load_settings(env="development", data_dir=tmp_path, replicas=3))
    check_channels(
        load_settings(
            env="development",
            data_dir=tmp_path,
            replicas=3,
            database_url="postgresql+psycopg://u@127.0.0.1/db",
        )
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ADVISOR_", "SLACK_", "Microsoft"))}
    result = subprocess.run(
        serve_command(free_port()),
        cwd=ROOT,
        env=base | {"ADVISOR_ENV": "development", "ADVISOR_DATA_DIR": str(tmp_path), "ADVISOR_REPLICAS": "2"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "needs a shared database" in result.stderr
