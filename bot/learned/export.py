"""What was learned, as files of the knowledge base's own format, for review and commit: each
owner's entry a topic file (``topics/<id>.yaml``), the examples added to shipped topics a list
per topic (``examples/<topic>.yaml``, merged with the file already there)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..knowledge.additions import AddedExamples
from ..knowledge.knowledge import Knowledge
from ..knowledge.loading import read_model
from ..knowledge.localized import LANGS, LocalizedList
from .merge import with_learned
from .records import Learned

__all__ = ["export_learned"]

TOPIC_FIELDS = ("id", "kind", "title", "source", "verdict", "answer", "examples")


def _write(path: Path, document: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(text, encoding="utf-8")
    return path


def export_learned(base: Knowledge, learned: Learned, directory: Path) -> list[Path]:
    """Write what ``learned`` adds to ``base`` under ``directory``; the paths written (a file
    that would not change is not)."""
    served = with_learned(base, learned).topics
    written = []
    for entry in learned.entries:
        if entry.topic in base.topics or entry.topic not in served:
            continue
        topic = served[entry.topic].model_dump(mode="json")
        document = {name: topic[name] for name in TOPIC_FIELDS}
        written.append(_write(directory / "topics" / f"{entry.topic}.yaml", document))
    for topic_id in sorted({e.topic for e in learned.examples if e.topic in base.topics}):
        shipped = base.topics[topic_id].examples
        added = {
            lang: [t for t in served[topic_id].examples.get(lang) if t not in shipped.get(lang)]
            for lang in LANGS
        }
        path = directory / "examples" / f"{topic_id}.yaml"
        before = read_model(path, AddedExamples).examples if path.exists() else LocalizedList()
        fresh = {lang: [t for t in added[lang] if t not in before.get(lang)] for lang in LANGS}
        if any(fresh.values()):
            merged = {lang: [*before.get(lang), *fresh[lang]] for lang in LANGS}
            written.append(_write(path, {"topic": topic_id, "examples": merged}))
    return written
