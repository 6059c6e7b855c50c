"""Suggested prompts: the advice topics answered most in the person's language, then the
shipped ones, four at most, each once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from bot.knowledge.kbcheck import check_knowledge
from bot.knowledge.knowledge import load_knowledge
from bot.prompts import MAX_PROMPTS, suggested_prompts
from bot.querylog.records import Tally
from bot.testing import shipped_advisor

DAY = date(2026, 11, 20)


def test_prompts_follow_what_is_asked_in_that_language() -> None:
    knowledge = shipped_advisor().knowledge
    tallies = [
        Tally(DAY, "slack", "answered", "he", "recruitment", 9),
        Tally(DAY, "slack", "answered", "en", "viral-promo", 3),
        Tally(DAY, "teams", "answered", "en", "viral-promo", 2),
        Tally(DAY, "slack", "answered", "en", "market-research", 4),
        Tally(DAY, "slack", "declined", "en", "cost-benefit", 50),
        Tally(DAY, "slack", "answered", "en", "greeting", 80),
        Tally(DAY, "slack", "answered", "en", "no-such-topic", 70),
        Tally(DAY, "slack", "answered", "en", "install-apps", 1),
    ]
    shipped = knowledge.phrases.agent.prompt_topics
    english = suggested_prompts(knowledge, tallies, "en")
    expected = list(dict.fromkeys(["viral-promo", "market-research", "install-apps", *shipped]))
    assert [p.title for p in english] == [knowledge.topics[t].title.en for t in expected[:MAX_PROMPTS]]
    assert english[0].message == knowledge.topics["viral-promo"].examples.en[0]
    hebrew = suggested_prompts(knowledge, tallies, "he")
    assert hebrew[0].title == knowledge.topics["recruitment"].title.he
    assert [p.title for p in suggested_prompts(knowledge, [], "he")] == [
        knowledge.topics[t].title.he for t in shipped
    ]


def test_kb_check_names_a_shipped_prompt_that_is_not_an_advice_topic(kb_copy: Path) -> None:
    path = kb_copy / "phrases.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["agent"]["prompt_topics"] = ["join-groups", "greeting", "no-such-topic"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    findings = [str(f) for f in check_knowledge(load_knowledge(kb_copy))]
    assert "error: phrases.yaml: agent.prompt_topics.1: 'greeting' is not an advice topic" in findings
    assert "error: phrases.yaml: agent.prompt_topics.2: 'no-such-topic' is not an advice topic" in findings
    assert not any("prompt_topics.0" in f for f in findings)
