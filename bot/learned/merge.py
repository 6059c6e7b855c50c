"""The knowledge base the advisor serves: the shipped one with what was learned added. An
owner's entry becomes an advice topic citing the policy owner; added examples join their
topic's own. What the shipped knowledge base has already (an entry whose id a shipped topic
took since, an example it lists) is left out."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import replace

from pydantic import ValidationError

from ..knowledge.additions import add_examples
from ..knowledge.knowledge import Knowledge, Topic
from ..knowledge.localized import LANGS, Localized, LocalizedList
from ..knowledge.sources import OWNER
from .records import Entry, Learned

__all__ = ["to_topic", "with_learned"]

log = logging.getLogger(__name__)


def _both(texts: dict[str, str]) -> Localized:
    """A text in both languages: one written in one language only serves the other as well."""
    en, he = texts.get("en") or texts.get("he", ""), texts.get("he") or texts.get("en", "")
    return Localized(en=en, he=he)


def _literal(text: str) -> str:
    """The owner's words as written: braces are not template fields."""
    return text.replace("{", "{{").replace("}", "}}")


def to_topic(entry: Entry) -> Topic:
    """The entry as a topic of the knowledge base; raises ``ValidationError`` when it cannot
    be one."""
    firsts = {lang: texts[0] for lang, texts in entry.variants.items() if texts}
    return Topic.model_validate(
        {
            "id": entry.topic,
            "kind": "advice",
            "title": _both(firsts).model_dump(),
            "source": OWNER,
            "verdict": entry.verdict,
            "answer": _both({lang: _literal(text) for lang, text in entry.answer.items()}).model_dump(),
            "examples": {lang: list(entry.variants.get(lang, ())) for lang in LANGS},
        }
    )


def with_learned(knowledge: Knowledge, learned: Learned) -> Knowledge:
    """``knowledge`` with ``learned`` added."""
    topics = dict(knowledge.topics)
    for entry in learned.entries:
        if entry.topic in topics:
            continue
        try:
            topics[entry.topic] = to_topic(entry)
        except ValidationError as exc:
            log.warning("learned entry %s left out: %s", entry.topic, exc.errors()[0]["msg"])
    extra: dict[str, dict[str, list[str]]] = defaultdict(lambda: {lang: [] for lang in LANGS})
    for example in learned.examples:
        if example.topic in topics:
            extra[example.topic][example.lang].append(example.text)
    additions = {topic: LocalizedList(**texts) for topic, texts in extra.items()}
    return replace(knowledge, topics=add_examples(topics, additions))
