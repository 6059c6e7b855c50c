"""What the advisor writes to its data directory is its user's alone (issue 17, item 7): the
log database and its WAL, the spool, the development key."""

from __future__ import annotations

import os
import signal
import stat
from pathlib import Path

import pytest

from bot import Query, load_settings
from bot.service import Service
from bot.testing import shipped_advisor
from tests.deploy.test_operations import ask, start_server


def modes(directory: Path) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in directory.iterdir() if p.is_file()}


def test_the_sqlite_log_and_its_wal_are_private(tmp_path: Path) -> None:
    previous = os.umask(0o022)  # what a shell usually gives
    try:
        config = load_settings(env="development", data_dir=tmp_path)
        service = Service.start(config, base=shipped_advisor(), allow_generated_key=True)
        try:
            service.advisor.handle(Query("should I join this facebook group?"))
            service.writer.flush(5)
            found = modes(tmp_path)
        finally:
            service.close()
    finally:
        os.umask(previous)
    assert {"advisor.db", "advisor.db-wal"} <= set(found)
    assert all(mode == 0o600 for name, mode in found.items() if name.startswith("advisor.db")), found


@pytest.mark.parametrize(
    "database", ["", "postgresql+psycopg://nobody@127.0.0.1:1/none"], ids=["sqlite", "spooled"]
)
def test_a_served_data_directory_is_private(tmp_path: Path, database: str) -> None:
    env = {"ADVISOR_DATABASE_URL": database} if database else {}
    process, port = start_server(tmp_path, ADVISOR_LOG_RETRY_SECONDS="60", **env)
    try:
        assert ask(port, "should I join this facebook group?") == 200
        process.send_signal(signal.SIGTERM)
        process.wait(60)
    finally:
        process.kill()
    found = modes(tmp_path)
    expected = {"advisor.db", "pseudonym.key"} if not database else {"spool.jsonl", "pseudonym.key"}
    assert expected <= set(found), found
    assert set(found.values()) == {0o600}, found
