"""``knowledge/conversation.yaml`` is validated at load: a topic it names must exist."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot import KnowledgeError, load_knowledge


@pytest.mark.parametrize(
    ("field", "value"), [("acknowledgement_topic", "no-such-topic"), ("ask_back_topics", ["nope"])]
)
def test_a_topic_conversation_yaml_names_must_exist(kb_copy: Path, field: str, value: object) -> None:
    path = kb_copy / "conversation.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data[field] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(kb_copy)
    assert caught.value.field.startswith(field) and "unknown topic" in caught.value.problem


def test_the_shipped_cues_name_the_thanks_topic_for_acknowledgements(kb_copy: Path) -> None:
    cues = load_knowledge(kb_copy).conversation
    assert cues is not None and cues.acknowledgement_topic == "thanks" and cues.slang["y"] == "why"
