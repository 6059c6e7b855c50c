"""The report counts the nudges by kind of link and network or app, and holds nothing else of
them; ``advisor report`` reads them from the log's database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.nudge import MemoryNudgeStore, NudgeCount
from bot.nudge.sql import SqlNudgeStore
from bot.querylog.pseudonyms import Pseudonymizer, load_or_create_key
from bot.querylog.records import MemoryQueryLog
from bot.querylog.report import build_report
from bot.querylog.sql import SqlQueryLog
from tests.adapters.cli.test_cli import run_advisor

NOW = datetime.now(UTC)


def test_the_report_counts_nudges() -> None:
    nudges = MemoryNudgeStore()
    nudges.take("p1", "join-group", "facebook", NOW)
    nudges.take("p2", "join-group", "facebook", NOW)
    nudges.take("p1", "install-app", "hootsuite", NOW)
    nudges.take("p3", "join-group", "whatsapp", NOW - timedelta(days=30))
    report = build_report(MemoryQueryLog(), NOW - timedelta(days=7), NOW + timedelta(seconds=1), nudges)
    assert report.to_dict()["nudges"] == [
        {"kind": "join-group", "subject": "facebook", "count": 2},
        {"kind": "install-app", "subject": "hootsuite", "count": 1},
    ]
    assert "join-group   facebook             2" in report.to_text()
    assert "nudge,join-group/facebook,2," in report.to_csv()
    assert "p1" not in json.dumps(report.to_dict())
    without = build_report(MemoryQueryLog(), NOW - timedelta(days=7), NOW)
    assert without.to_dict()["nudges"] == [] and "Link nudges" not in without.to_text()


def test_advisor_report_reads_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'log.db'}"
    log = SqlQueryLog(url)
    log.upgrade()
    SqlNudgeStore(log.engine).take("p1", "install-app", "tiktok", NOW - timedelta(hours=1))
    log.engine.dispose()
    env = {"ADVISOR_DATABASE_URL": url, "ADVISOR_DATA_DIR": str(tmp_path)}
    result = run_advisor("report", "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["nudges"] == [{"kind": "install-app", "subject": "tiktok", "count": 1}]


def test_forget_and_purge_reach_the_nudges(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'log.db'}"
    log = SqlQueryLog(url)
    log.upgrade()
    pseudonym = Pseudonymizer(load_or_create_key(tmp_path / "pseudonym.key"))("user", "U2") or ""
    nudges = SqlNudgeStore(log.engine)
    nudges.take(pseudonym, "join-group", "facebook", NOW)
    nudges.take("someone-else", "join-group", "facebook", NOW)
    nudges.take("someone-else", "install-app", "tiktok", NOW - timedelta(days=400))
    env = {"ADVISOR_DATABASE_URL": url, "ADVISOR_DATA_DIR": str(tmp_path)}
    forgot = run_advisor("log", "forget", "U2", env=env)
    assert forgot.returncode == 0, forgot.stderr
    assert nudges.counts(NOW - timedelta(days=1), NOW + timedelta(days=1)) == [
        NudgeCount("join-group", "facebook", 1)
    ]
    purged = run_advisor("log", "purge", "--older-than", "90d", env=env)
    assert purged.returncode == 0, purged.stderr
    assert nudges.counts(NOW - timedelta(days=500), NOW + timedelta(days=1)) == [
        NudgeCount("join-group", "facebook", 1)
    ]
    log.engine.dispose()
