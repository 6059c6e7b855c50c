"""Suggested prompts: the questions people ask most (from the query log's tallies), in their
language, topped up with the topics the knowledge base offers first."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .knowledge.knowledge import Knowledge
from .querylog.records import Tally

__all__ = ["MAX_PROMPTS", "Prompt", "suggested_prompts"]

MAX_PROMPTS = 4  # Slack shows at most four


@dataclass(frozen=True, slots=True)
class Prompt:
    title: str
    message: str


def suggested_prompts(knowledge: Knowledge, tallies: Iterable[Tally], lang: str) -> list[Prompt]:
    """Up to :data:`MAX_PROMPTS`: the advice topics answered most in ``lang``, then the shipped
    ones; each as its title and its first example question."""
    asked: Counter[str] = Counter()
    for tally in tallies:
        if tally.outcome == "answered" and tally.lang == lang and tally.topic:
            asked[tally.topic] += tally.count
    ranked = [topic for topic, _ in sorted(asked.items(), key=lambda item: (-item[1], item[0]))]
    prompts: list[Prompt] = []
    for topic_id in [*ranked, *knowledge.phrases.agent.prompt_topics]:
        topic = knowledge.topics.get(topic_id)
        if topic is None or topic.kind != "advice" or not topic.examples.get(lang):
            continue
        prompt = Prompt(topic.title.get(lang), topic.examples.get(lang)[0])
        if prompt not in prompts:
            prompts.append(prompt)
        if len(prompts) == MAX_PROMPTS:
            break
    return prompts
