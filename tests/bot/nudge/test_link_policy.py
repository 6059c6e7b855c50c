"""Link patterns are policy data: ``advisor kb check`` refuses bad ones with the field named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.knowledge.kbcheck import check_knowledge
from bot.knowledge.knowledge import load_knowledge
from tests.adapters.cli.test_cli import run_advisor


def policy_with(tmp_path: Path, *rules: dict[str, Any], keep: bool = True) -> Path:
    data = yaml.safe_load((DEFAULT_KNOWLEDGE_DIR / "policy.yaml").read_text(encoding="utf-8"))
    data["links"] = (data["links"] if keep else []) + list(rules)
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"kind": "join-group", "network": "friendster", "pattern": "friendster.com/groups/"}, "friendster"),
        ({"kind": "install-app", "app": "slackbot", "pattern": "example.com/app"}, "slackbot"),
        (
            {"kind": "join-group", "network": "facebook", "pattern": "https://facebook.com/groups/"},
            "link pattern",
        ),
        ({"kind": "join-group", "network": "facebook", "pattern": "Facebook.com/groups/"}, "link pattern"),
        ({"kind": "join-group", "network": "facebook", "pattern": "(a+)+$.com"}, "link pattern"),
        ({"kind": "join-group", "pattern": "facebook.com/groups/"}, "either a network or an app"),
        ({"kind": "share", "network": "facebook", "pattern": "facebook.com/"}, "join-group"),
    ],
)
def test_kb_check_refuses_a_bad_link_rule(tmp_path: Path, rule: dict[str, Any], message: str) -> None:
    result = run_advisor("kb", "check", env={"ADVISOR_POLICY_FILE": str(policy_with(tmp_path, rule))})
    assert result.returncode == 2
    assert b"policy.yaml" in result.stderr and message.encode() in result.stderr
    assert b"Traceback" not in result.stderr


def test_the_organization_adds_its_own_patterns(tmp_path: Path) -> None:
    rule = {"kind": "join-group", "network": "facebook", "pattern": "xn--fcebook-2fg.com/groups/"}
    path = policy_with(tmp_path, rule, rule)
    result = run_advisor("kb", "check", env={"ADVISOR_POLICY_FILE": str(path)})
    assert result.returncode == 0
    assert b"listed twice" in result.stdout + result.stderr
    knowledge = load_knowledge(DEFAULT_KNOWLEDGE_DIR, path)
    assert knowledge.policy.links[-1].pattern == "xn--fcebook-2fg.com/groups/"


def test_a_network_without_patterns_is_pointed_out(tmp_path: Path) -> None:
    rule = {"kind": "join-group", "network": "linkedin", "pattern": "*.linkedin.com/groups/"}
    knowledge = load_knowledge(DEFAULT_KNOWLEDGE_DIR, policy_with(tmp_path, rule, keep=False))
    findings = [str(f) for f in check_knowledge(knowledge)]
    assert "warning: policy.yaml: links: no link pattern for the network 'facebook'" in findings
    assert not any("'linkedin'" in f for f in findings)
