"""Quality checks on a loaded knowledge base, beyond what loading validates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz, process

from ..text import normalize
from .knowledge import REQUIRED_TOPICS, Knowledge
from .sources import OWNER

__all__ = ["Finding", "check_knowledge"]

MIN_EXAMPLES = {"en": 12, "he": 8}
NEAR_DUPLICATE = 92.0


@dataclass(frozen=True, slots=True)
class Finding:
    level: Literal["error", "warning"]
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.where}: {self.message}"


def _too_few_examples(knowledge: Knowledge) -> list[Finding]:
    found = []
    for topic_id in REQUIRED_TOPICS:
        topic = knowledge.topics[topic_id]
        for lang, least in MIN_EXAMPLES.items():
            have = len(topic.examples.get(lang))
            if have < least:
                found.append(
                    Finding(
                        "error",
                        f"topics/{topic_id}.yaml: examples.{lang}",
                        f"has {have} questions; at least {least} are required",
                    )
                )
    return found


def _near_duplicates(knowledge: Knowledge) -> list[Finding]:
    """Examples of different topics that read almost the same confuse the matcher."""
    found = []
    for lang in ("en", "he"):
        owners = [(t.id, e) for t in knowledge.topics.values() for e in t.examples.get(lang)]
        texts = [normalize(e) for _, e in owners]
        for i, text in enumerate(texts):
            for _, _, j in process.extract(
                text, texts, scorer=fuzz.ratio, score_cutoff=NEAR_DUPLICATE, limit=None
            ):
                if i >= j or owners[i][0] == owners[j][0]:
                    continue
                found.append(
                    Finding(
                        "warning",
                        f"topics/{owners[i][0]}.yaml ~ topics/{owners[j][0]}.yaml",
                        f"near-identical examples {owners[i][1]!r} and {owners[j][1]!r}",
                    )
                )
    return found


def _link_rules(knowledge: Knowledge) -> list[Finding]:
    """A pattern listed twice, or a network with no link rule at all (nothing to nudge about)."""
    found = []
    seen: set[str] = set()
    for i, rule in enumerate(knowledge.policy.links):
        if rule.pattern in seen:
            found.append(Finding("warning", f"policy.yaml: links[{i}]", f"{rule.pattern!r} is listed twice"))
        seen.add(rule.pattern)
    covered = {rule.network for rule in knowledge.policy.links}
    for network in knowledge.policy.networks:
        if knowledge.policy.links and network.id not in covered:
            found.append(
                Finding("warning", "policy.yaml: links", f"no link pattern for the network {network.id!r}")
            )
    return found


def _prompt_topics(knowledge: Knowledge) -> list[Finding]:
    """The agent view's shipped prompts name advice topics."""
    return [
        Finding("error", f"phrases.yaml: agent.prompt_topics.{i}", f"{topic!r} is not an advice topic")
        for i, topic in enumerate(knowledge.phrases.agent.prompt_topics)
        if topic not in knowledge.topics or knowledge.topics[topic].kind != "advice"
    ]


def _follow_ups_unwritten(knowledge: Knowledge) -> list[Finding]:
    """Advice topics that cannot say why, or what to do instead, when a follow-up asks: they
    answer with their answer again (the policy owner's entries answer as the owner wrote)."""
    return [
        Finding("warning", f"topics/{topic.id}.yaml: {name}", "missing: a follow-up gets the answer again")
        for topic in knowledge.topics.values()
        if topic.kind == "advice" and topic.source != OWNER
        for name in ("why", "instead")
        if getattr(topic, name) is None
    ]


def check_knowledge(knowledge: Knowledge) -> list[Finding]:
    return (
        _too_few_examples(knowledge)
        + _near_duplicates(knowledge)
        + _link_rules(knowledge)
        + _prompt_topics(knowledge)
        + _follow_ups_unwritten(knowledge)
    )
