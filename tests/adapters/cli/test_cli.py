from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from adapters.cli import app
from tests.conftest import DATA

runner = CliRunner()


def run_advisor(
    *args: str, stdin: bytes = b"", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-c", "from adapters.cli import main; main()", *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_ask_prints_an_answer() -> None:
    result = runner.invoke(app, ["ask", "should I join this Facebook group?"])
    assert result.exit_code == 0
    assert result.output.startswith("⚠ Think first · Joining groups")


def test_ask_json_shape() -> None:
    result = runner.invoke(app, ["ask", "--json", "ולהצטרף לקבוצה בלינקדאין?"])
    data = json.loads(result.output)
    assert data["topic"] == "join-groups" and data["verdict"] == "yes" and data["lang"] == "he"
    assert data["outcome"] == "answered" and 0 < data["confidence"] <= 1
    assert data["entities"] == {"network": "linkedin", "network_kind": "professional"}
    assert data["source"] == "Rule 4" and data["suggestions"]


def test_ask_json_reads_stdin_in_order_and_survives_bad_lines() -> None:
    lines = (
        b"hi\n\xff\xfe broken\n\nshould I join this facebook group\n"
        + "מה מזג האוויר".encode()
        + b"\n"
        + b"x" * 50_000
        + b"\n"
    )
    result = run_advisor("ask", "--json", stdin=lines)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert len(records) == 6
    assert records[0]["topic"] == "greeting"
    assert records[1] == {"line": 2, "error": "this line is not valid UTF-8 text"}
    assert records[2]["outcome"] == "declined" and records[2]["topic"] is None
    assert records[3]["topic"] == "join-groups"
    assert records[4]["outcome"] == "declined" and records[4]["lang"] == "he"
    assert "too long" in records[5]["answer"]
    assert b"Traceback" not in result.stderr


def test_ask_without_question_or_json_explains() -> None:
    result = runner.invoke(app, ["ask"])
    assert result.exit_code == 2


def test_kb_check_passes_on_the_shipped_knowledge() -> None:
    result = runner.invoke(app, ["kb", "check"])
    assert result.exit_code == 0
    assert "0 error(s)" in result.output


def test_kb_check_fails_with_file_and_field(kb_copy: Path) -> None:
    path = kb_copy / "topics" / "join-groups.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["title"]["he"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run_advisor("kb", "check", env={"ADVISOR_KNOWLEDGE_DIR": str(kb_copy)})
    assert result.returncode == 2
    assert b"join-groups.yaml: title.he: Field required" in result.stderr
    assert b"Traceback" not in result.stderr


def test_invalid_settings_are_reported() -> None:
    result = run_advisor("ask", "hi", env={"ADVISOR_THRESHOLDS__DECLINE_BELOW": "lots"})
    assert result.returncode == 2
    assert b"ADVISOR_THRESHOLDS__DECLINE_BELOW" in result.stderr


def test_eval_prints_figures_and_confusions() -> None:
    result = runner.invoke(app, ["eval", str(DATA / "devset.jsonl")])
    assert result.exit_code == 0
    assert "topic accuracy (en):" in result.output and "decline precision:" in result.output
    as_json = json.loads(runner.invoke(app, ["eval", "--json", str(DATA / "devset.jsonl")]).output)
    assert set(as_json["accuracy"]) == {"en", "he"}
    assert "verdict right:" in result.output and 0.97 <= as_json["verdict_accuracy"] <= 1


def test_eval_rejects_a_malformed_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"q": "hi", "lang": "en"}\nnot json\n', encoding="utf-8")
    result = runner.invoke(app, ["eval", str(bad)])
    assert result.exit_code == 2
    assert "bad.jsonl:2" in result.output


@pytest.mark.parametrize("question", ["", "   ", "🙂", "\x07"])
def test_ask_handles_empty_and_odd_questions(question: str) -> None:
    result = runner.invoke(app, ["ask", "--json", question])
    assert result.exit_code == 0
    assert json.loads(result.output)["outcome"] == "declined"


def test_chat_runs_in_a_terminal_session() -> None:
    result = run_advisor("chat", stdin=b"should I join this group?\n1\nexit\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert "Hi!" in out and "Joining groups" in out and "Keep business and private accounts apart" in out


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("topics/join-groups.yaml", None, b"duplicate key 'id'"),
        ("phrases.yaml", "greeting: " + "[" * 10_000 + "]" * 10_000 + "\n", b"nested deeper than 50 levels"),
        ("policy.yaml", "".join(" " * i + f"k{i}:\n" for i in range(1000)), b"nested deeper than 50 levels"),
    ],
)
def test_kb_check_names_the_file_of_strict_yaml_errors(
    kb_copy: Path, name: str, text: str | None, message: bytes
) -> None:
    path = kb_copy / name
    if text is None:  # the file as it is, with its first key given again at the end
        original = path.read_text(encoding="utf-8")
        text = original + original.splitlines()[0] + "\n"
    path.write_text(text, encoding="utf-8")
    result = run_advisor("kb", "check", env={"ADVISOR_KNOWLEDGE_DIR": str(kb_copy)})
    assert result.returncode == 2, result.stderr
    assert str(path).encode() in result.stderr and message in result.stderr
    assert b"Traceback" not in result.stderr and b"internal error" not in result.stderr


@pytest.mark.parametrize("special", ["/dev/zero", "fifo", "huge"])
def test_a_policy_file_that_is_not_a_small_regular_file_is_refused(tmp_path: Path, special: str) -> None:
    path = Path(special)
    if special == "fifo":
        path = tmp_path / "policy.fifo"
        os.mkfifo(path)
    elif special == "huge":
        path = tmp_path / "policy.yaml"
        path.write_text("organization: " + "x" * (2 * 1024 * 1024), encoding="utf-8")
    result = run_advisor("kb", "check", env={"ADVISOR_POLICY_FILE": str(path)})
    assert result.returncode == 2
    assert f"{path}: cannot be read".encode() in result.stderr
