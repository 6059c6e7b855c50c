"""The labelled conversation set (tests/data/conversations.jsonl) holds its floor, and the
command that scores it reports what it measured."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli import app
from bot import Advisor
from bot.conversation.scoring import read_conversations, score_conversations
from tests.conftest import DATA

SET = DATA / "conversations.jsonl"


def test_the_set_is_large_and_varied_enough() -> None:
    conversations = read_conversations(SET)
    turns = [t for c in conversations for t in c.turns]
    assert len(conversations) >= 40
    hebrew = [c for c in conversations if any("\u05d0" <= ch <= "\u05ea" for t in c.turns for ch in t["q"])]
    assert len(hebrew) >= 15
    assert sum(c.turns[0]["topic"] is None for c in conversations) >= 8  # no context
    kinds = {t.get("follow_up") for t in turns}
    assert {"why", "instead", "more", "slot"} <= kinds
    assert any("checklist" in t for t in turns)
    assert {"greeting", "thanks"} <= {t["topic"] for t in turns}


def test_the_conversation_set_holds_its_floor(advisor: Advisor) -> None:
    report = score_conversations(advisor, read_conversations(SET))
    shown = json.dumps(report.misses, ensure_ascii=False, indent=1)
    assert report.later_rate() >= 0.9, shown
    assert report.first_rate() >= 0.95, shown
    assert report.no_context_rate == 1.0, shown
    for lang in ("en", "he"):
        assert report.later_rate(lang) >= 0.85, shown


def test_eval_conversations_prints_the_three_figures(tmp_path: Path) -> None:
    small = tmp_path / "two.jsonl"
    rows = [
        {
            "id": "a",
            "turns": [
                {"q": "can we recruit on LinkedIn?", "topic": "recruitment"},
                {"q": "and on Instagram?", "topic": "recruitment", "network": "instagram"},
            ],
        },
        {"id": "b", "turns": [{"q": "why?", "topic": None}]},
    ]
    small.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval-conversations", str(small)])
    assert result.exit_code == 0, result.output
    assert "later turns right: 100.0% of 1" in result.output
    assert "first turns right: 100.0% of 1" in result.output
    assert "follow-ups with no context not answered: 100.0% of 1" in result.output
    data = json.loads(CliRunner().invoke(app, ["eval-conversations", "--json", str(small)]).output)
    assert data["later_turns"]["total"] == 1 and data["misses"] == []


def test_a_turn_labelled_with_a_topic_to_decline_is_right_when_declined(tmp_path: Path) -> None:
    small = tmp_path / "declines.jsonl"
    rows = [
        {"id": "w", "turns": [{"q": "what will the weather be tomorrow in Haifa?", "topic": "off-topic"}]},
        {"id": "r", "turns": [{"q": "what will the weather be tomorrow in Haifa?", "topic": "recruitment"}]},
    ]
    small.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    data = json.loads(CliRunner().invoke(app, ["eval-conversations", "--json", str(small)]).output)
    assert [m["id"] for m in data["misses"]] == ["r"]
    assert data["misses"][0]["got"]["outcome"] == "declined"


@pytest.mark.parametrize(
    "line", ['{"id": "x"}', '{"id": "x", "turns": []}', "not json", '{"id": 1, "turns": [{"q": 2}]}']
)
def test_a_malformed_conversation_file_is_named_not_crashed_on(tmp_path: Path, line: str) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(line + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval-conversations", str(bad)])
    assert result.exit_code == 2 and "bad.jsonl:1: not a labelled conversation" in result.output
