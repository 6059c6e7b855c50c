"""``advisor ask --conversation ID``: each call a turn of that conversation, kept in the
database between processes; lines on standard input are consecutive turns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from bot.querylog.sql import SqlQueryLog
from tests.slackkit import EVER


def advisor(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = os.environ | {
        "ADVISOR_DATA_DIR": str(tmp_path),
        "ADVISOR_ENV": "development",
        "ADVISOR_MATCHER": "lexical",
        "ADVISOR_DATABASE_URL": "",
    }
    return subprocess.run(
        [sys.executable, "-c", "from adapters.cli import main; main()", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def asked(tmp_path: Path, *args: str) -> dict[str, Any]:
    result = advisor(tmp_path, "ask", "--json", *args)
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_each_call_is_a_turn_of_its_conversation(tmp_path: Path) -> None:
    first = asked(tmp_path, "--conversation", "case-17", "can we recruit on LinkedIn?")
    assert first["topic"] == "recruitment" and first["context"] is None
    second = asked(tmp_path, "--conversation", "case-17", "ובאינסטגרם?")
    assert (second["topic"], second["entities"]["network"], second["lang"]) == (
        "recruitment",
        "instagram",
        "he",
    )
    assert second["context"] == {"topic": "recruitment", "entities": {}, "follow_up": "slot"}
    elsewhere = asked(tmp_path, "--conversation", "case-18", "and on Instagram?")
    assert elsewhere["outcome"] == "clarify" and elsewhere["topic"] is None
    alone = asked(tmp_path, "and what about facebook?")
    assert alone["outcome"] == "clarify"
    rows = SqlQueryLog(f"sqlite:///{tmp_path / 'advisor.db'}").questions(*EVER)
    assert [bool(r.context) for r in sorted(rows, key=lambda r: r.asked_at)] == [False, True, False, False]


def test_lines_on_standard_input_are_consecutive_turns(tmp_path: Path) -> None:
    lines = "may I put the Instagram app on my work PC?\nthanks\nand Hootsuite?\nwhy?\n"
    result = advisor(tmp_path, "ask", "--json", "--user", "dana", "--conversation", "stdin-1", stdin=lines)
    assert result.returncode == 0, result.stderr
    turns = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(t["topic"], t["verdict"]) for t in turns] == [
        ("install-apps", "no"),
        ("thanks", "info"),
        ("install-apps", "yes"),
        ("install-apps", "yes"),
    ]
    assert [(t["context"] or {}).get("follow_up") for t in turns] == [None, None, "slot", "why"]
    forgot = advisor(tmp_path, "log", "forget", "dana")
    assert forgot.returncode == 0 and "1 conversation context(s)" in forgot.stdout
    after = asked(tmp_path, "--conversation", "stdin-1", "and Sales Navigator?")
    assert after["outcome"] == "clarify"
