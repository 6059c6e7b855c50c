"""Example questions added to existing topics, one file per topic in ``examples/`` beside
``topics/``: what the policy owner taught the advisor, exported for review
(``advisor kb export-learned``) and committed like the rest of the knowledge base."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from ..errors import KnowledgeError
from .knowledge import Topic
from .loading import read_model
from .localized import LocalizedList

__all__ = ["AddedExamples", "add_examples", "apply_additions", "load_additions"]


class AddedExamples(BaseModel):
    """More ways to ask an existing topic's question."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    topic: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    examples: LocalizedList


def load_additions(directory: Path) -> list[tuple[Path, AddedExamples]]:
    """Every ``examples/*.yaml`` file, validated; none when the folder is not there."""
    if not directory.is_dir():
        return []
    found = []
    for path in sorted(directory.glob("*.yaml")):
        added = read_model(path, AddedExamples)
        if added.topic != path.stem:
            raise KnowledgeError(str(path), "topic", f"{added.topic!r} must match the file name")
        found.append((path, added))
    return found


def add_examples(topics: dict[str, Topic], additions: dict[str, LocalizedList]) -> dict[str, Topic]:
    """``topics`` with each topic's added examples after its own (an example it has already is
    not repeated); every topic named must exist."""
    merged = dict(topics)
    for topic_id, extra in additions.items():
        topic = merged[topic_id]
        examples = {
            lang: [*topic.examples.get(lang), *_new(topic.examples.get(lang), extra.get(lang))]
            for lang in ("en", "he")
        }
        merged[topic_id] = topic.model_copy(update={"examples": LocalizedList(**examples)})
    return merged


def _new(have: list[str], extra: list[str]) -> list[str]:
    seen = {e.casefold() for e in have}
    fresh = []
    for text in extra:
        if text.casefold() not in seen:
            seen.add(text.casefold())
            fresh.append(text)
    return fresh


def apply_additions(topics: dict[str, Topic], directory: Path) -> dict[str, Topic]:
    """``topics`` with the examples of ``directory``'s files added; a file about a topic that
    does not exist is an error naming it."""
    additions = {}
    for path, added in load_additions(directory):
        if added.topic not in topics:
            raise KnowledgeError(str(path), "topic", f"unknown topic {added.topic!r}")
        additions[added.topic] = added.examples
    return add_examples(topics, additions)
