"""The query log from the command line, in a fresh data directory, as an employee or IT would."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from bot.querylog.deadletters import DeadLetters
from bot.querylog.pseudonyms import Pseudonymizer
from bot.querylog.sql import SqlQueryLog
from tests.bot.querylog.test_logwriter import record

EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def advisor(
    cwd: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ADVISOR_")}
    return subprocess.run(
        [sys.executable, "-c", "from adapters.cli import main; main()", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**clean, **(env or {})},
    )


def test_ask_logs_with_channel_cli_and_a_pseudonym(tmp_path: Path) -> None:
    result = advisor(
        tmp_path, "ask", "--user", "U0SECRET1", "may I install the linkedin app? alice@example.com"
    )
    assert result.returncode == 0, result.stderr
    key = (tmp_path / "var" / "pseudonym.key").read_bytes()
    [row] = SqlQueryLog(f"sqlite:///{tmp_path / 'var' / 'advisor.db'}").questions(*EVER)
    assert row.channel == "cli" and row.topic == "install-apps"
    assert row.user == Pseudonymizer(key)("user", "U0SECRET1")
    assert row.text == "may I install the linkedin app? [email]"
    database = (tmp_path / "var" / "advisor.db").read_bytes()
    assert b"U0SECRET1" not in database and b"alice@example.com" not in database
    assert "U0SECRET1" not in result.stdout + result.stderr


def test_stdin_questions_are_logged_once_each(tmp_path: Path) -> None:
    result = advisor(
        tmp_path,
        "ask",
        "--json",
        "--user",
        "U1",
        stdin="hi\nshould I join this facebook group\nthe weather?\n",
    )
    assert len(result.stdout.splitlines()) == 3
    ids = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    rows = SqlQueryLog(f"sqlite:///{tmp_path / 'var' / 'advisor.db'}").questions(*EVER)
    assert sorted(r.id for r in rows) == sorted(ids)


def test_report_forget_and_purge(tmp_path: Path) -> None:
    for user, question in [
        ("U1", "should I join this facebook group"),
        ("U2", "what is the weather"),
        ("U2", "what's the weather tomorrow"),
        ("U3", "may I install the linkedin app"),
    ]:
        assert advisor(tmp_path, "ask", "--user", user, question).returncode == 0
    text = advisor(tmp_path, "report").stdout
    assert ": 4 questions" in text and "declined 2 (50%)" in text
    data = json.loads(advisor(tmp_path, "report", "--format", "json", "--since", "1d").stdout)
    assert data["questions"] == 4 and data["per_channel"] == {"cli": 4}
    assert data["unanswered"][0]["count"] == 2
    csv_text = advisor(tmp_path, "report", "--format", "csv").stdout
    assert csv_text.startswith("section,key,count,extra")
    suggest = advisor(tmp_path, "report", "--suggest").stdout
    assert "examples:" in suggest and "weather" in suggest

    forgot = advisor(tmp_path, "log", "forget", "U2")
    assert forgot.returncode == 0 and "removed 2 row(s)" in forgot.stdout
    key = (tmp_path / "var" / "pseudonym.key").read_bytes()
    assert f"pseudonym {Pseudonymizer(key)('user', 'U2')}" in forgot.stdout and "U2" not in forgot.stdout
    assert "removed 0 row(s)" in advisor(tmp_path, "log", "forget", "U2").stdout
    assert "removed 0 row(s)" in advisor(tmp_path, "log", "purge").stdout
    bad = advisor(tmp_path, "log", "purge", "--older-than", "soon")
    assert bad.returncode == 2 and "not a duration" in bad.stderr
    assert advisor(tmp_path, "report", "--format", "xml").returncode == 2


def test_forget_and_purge_reach_the_journal_of_a_stopped_process(tmp_path: Path) -> None:
    """A Slack question taken by a process that died before its claim landed waits in the
    journal to be answered (and logged) at the next start: forget and purge remove it there too."""
    from adapters.slack.journal import SLACK_JOURNAL, Journal

    directory = tmp_path / "var" / SLACK_JOURNAL
    stopped = Journal(directory)
    stopped.open()
    stopped.add("T1:E1", {"team": "T1", "event": {"user": "U2", "text": "my secret question"}})
    stopped.add("T1:E2", {"team": "T1", "event": {"user": "U9", "text": "another question"}})
    stopped.add("T1:E3", {"team": "T1", "event": {"user": "U9", "text": "an old question"}}, at=1.0)
    stopped.close()  # what a killed process leaves: its files, unlocked
    forgot = advisor(tmp_path, "log", "forget", "U2")
    assert forgot.returncode == 0 and "1 journaled question(s)" in forgot.stdout
    assert not any("secret" in p.read_text() for p in directory.iterdir())
    purged = advisor(tmp_path, "log", "purge", "--older-than", "1d")
    assert purged.returncode == 0 and "1 journaled question(s)" in purged.stdout
    assert [e["key"] for e in Journal(directory).open()] == ["T1:E2"]


def test_purge_removes_old_rows(tmp_path: Path) -> None:
    assert advisor(tmp_path, "ask", "--user", "U1", "hi").returncode == 0
    db = SqlQueryLog(f"sqlite:///{tmp_path / 'var' / 'advisor.db'}")
    with db.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE questions SET asked_at = '2020-01-01 00:00:00'")
    result = advisor(tmp_path, "log", "purge", "--older-than", "90d")
    assert "removed 1 row(s)" in result.stdout
    assert db.questions(*EVER) == []


def test_postgresql_through_the_database_url(pg_url: str, tmp_path: Path) -> None:
    env = {"ADVISOR_DATABASE_URL": pg_url}
    assert advisor(tmp_path, "db", "upgrade", env=env).returncode == 0
    assert (
        advisor(tmp_path, "ask", "--user", "U7", "should I join this facebook group", env=env).returncode == 0
    )
    [row] = SqlQueryLog(pg_url).questions(*EVER)
    assert row.topic == "join-groups" and row.channel == "cli"
    assert "removed 1 row(s)" in advisor(tmp_path, "log", "forget", "U7", env=env).stdout


def test_database_down_keeps_answering_and_spools(tmp_path: Path) -> None:
    env = {
        "ADVISOR_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
        "ADVISOR_LOG_RETRY_SECONDS": "60",
    }
    result = advisor(tmp_path, "ask", "--user", "U1", "should I join this facebook group", env=env)
    assert result.returncode == 0 and "Joining groups" in result.stdout
    spool = (tmp_path / "var" / "spool.jsonl").read_text(encoding="utf-8")
    assert spool.count("\n") == 1 and "U1" not in spool
    assert "should I join" not in result.stderr


def test_ask_with_bytes_that_are_not_utf8_answers_logs_and_exits_cleanly(tmp_path: Path) -> None:
    # os.fsencode turns "\udcff\udcfe" back into the raw bytes 0xFF 0xFE on the command line.
    result = advisor(tmp_path, "ask", "--user", "U\udcff", "should I join a facebook group \udcff\udcfe")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "join" in result.stdout.lower()
    [row] = SqlQueryLog(f"sqlite:///{tmp_path / 'var' / 'advisor.db'}").questions(*EVER)
    assert row.text == "should I join a facebook group \ufffd\ufffd" and row.user
    assert not (tmp_path / "var" / "dead-letters.jsonl").exists()
    spool = tmp_path / "var" / "spool.jsonl"
    assert not spool.exists() or not spool.read_text()


def test_report_csv_neutralizes_formulas_and_forget_reaches_the_dead_letters(tmp_path: Path) -> None:
    for question in ('=HYPERLINK("http://evil.example/x","click me")', "+cmd|' /C calc'!A0 weather"):
        assert advisor(tmp_path, "ask", "--user", "U9", question).returncode == 0
    rows = list(csv.reader(io.StringIO(advisor(tmp_path, "report", "--format", "csv").stdout)))
    unanswered = [row[1] for row in rows if row[0] == "unanswered"]
    assert unanswered and all(cell.startswith("'") for cell in unanswered)

    key = (tmp_path / "var" / "pseudonym.key").read_bytes()
    set_aside = replace(record(1), user=Pseudonymizer(key)("user", "U9"))
    DeadLetters(tmp_path / "var" / "dead-letters.jsonl").add([set_aside, record(2)], "refused")
    forgot = advisor(tmp_path, "log", "forget", "U9")
    assert forgot.returncode == 0 and "removed 2 row(s), 1 spooled record(s)" in forgot.stdout
    assert DeadLetters(tmp_path / "var" / "dead-letters.jsonl").count() == 1
