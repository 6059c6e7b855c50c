from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot import Knowledge, KnowledgeError, load_knowledge
from bot.knowledge.kbcheck import check_knowledge
from bot.knowledge.knowledge import REQUIRED_TOPICS, SOURCES


def edit_yaml(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_shipped_knowledge_has_every_required_topic(knowledge: Knowledge) -> None:
    assert set(REQUIRED_TOPICS) <= set(knowledge.topics)


def test_shipped_knowledge_passes_the_quality_check(knowledge: Knowledge) -> None:
    assert [f for f in check_knowledge(knowledge) if f.level == "error"] == []


@pytest.mark.parametrize("topic_id", REQUIRED_TOPICS)
def test_required_topics_are_complete(knowledge: Knowledge, topic_id: str) -> None:
    topic = knowledge.topics[topic_id]
    assert len(topic.examples.en) >= 12 and len(topic.examples.he) >= 8
    assert topic.source in SOURCES
    for lang in ("en", "he"):
        assert topic.title.get(lang) and topic.answer.get(lang)
    he_letters = re.compile("[\u05d0-\u05ea]")
    assert he_letters.search(topic.answer.he) and not he_letters.search(topic.answer.en)


def test_every_related_topic_exists(knowledge: Knowledge) -> None:
    for topic in knowledge.topics.values():
        assert set(topic.related) <= set(knowledge.topics), topic.id


def test_policy_defaults(knowledge: Knowledge) -> None:
    kinds = {n.id: n.kind for n in knowledge.policy.networks}
    assert kinds["linkedin"] == "professional"
    for personal in ("facebook", "instagram", "tiktok", "myspace", "x", "whatsapp"):
        assert kinds[personal] == "personal"
    assert knowledge.policy.owner.contact


BROKEN = [
    ("topics/join-groups.yaml", lambda d: d["answer"].pop("he"), "answer.he", "Field required"),
    ("topics/join-groups.yaml", lambda d: d.update(verdict="maybe"), "verdict", "Input should be"),
    ("topics/join-groups.yaml", lambda d: d.update(source="Rule 9"), "source", "Input should be"),
    ("topics/join-groups.yaml", lambda d: d["related"].append("no-such-topic"), "related.3", "unknown topic"),
    ("topics/join-groups.yaml", lambda d: d.update(id="joining"), "id", "must match the file name"),
    ("topics/join-groups.yaml", lambda d: d["title"].update(en="   "), "title.en", "at least 1 character"),
    ("topics/join-groups.yaml", lambda d: d.update(colour="red"), "colour", "Extra inputs"),
    (
        "topics/install-apps.yaml",
        lambda d: d["answer"].update(en="Ask {boss}."),
        "(file)",
        "unknown placeholder",
    ),
    (
        "topics/install-apps.yaml",
        lambda d: d["verdicts"][0]["when"].update(app="banned"),
        "verdicts.0.when.app",
        "Input should be",
    ),
    ("phrases.yaml", lambda d: d["verdicts"].pop("caution"), "(file)", "labels missing"),
    ("phrases.yaml", lambda d: d["teach"]["taken"].pop("he"), "teach.taken.he", "Field required"),
    (
        "phrases.yaml",
        lambda d: d["teach"]["taken"].update(en="{topic} is taken"),
        "teach",
        "taken.en: unknown placeholder {topic}",
    ),
    ("policy.yaml", lambda d: d["networks"][0].update(kind="semi"), "networks.0.kind", "Input should be"),
    ("policy.yaml", lambda d: d["owner"].pop("contact"), "owner.contact", "Field required"),
]


@pytest.mark.parametrize(("file", "change", "field", "problem"), BROKEN)
def test_invalid_files_name_file_field_and_problem(kb_copy: Path, file, change, field, problem) -> None:  # type: ignore[no-untyped-def]
    edit_yaml(kb_copy / file, change)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(kb_copy)
    error = caught.value
    assert error.file.endswith(file.split("/")[-1])
    assert error.field == field
    assert problem in error.problem
    assert file.split("/")[-1] in str(error) and field in str(error)


def test_a_missing_required_topic_is_reported(kb_copy: Path) -> None:
    (kb_copy / "topics" / "viral-promo.yaml").unlink()
    for other in (kb_copy / "topics").glob("*.yaml"):
        edit_yaml(
            other, lambda d: d.__setitem__("related", [r for r in d.get("related", []) if r != "viral-promo"])
        )
    with pytest.raises(KnowledgeError, match="required topics missing: \\['viral-promo'\\]"):
        load_knowledge(kb_copy)


def test_invalid_yaml_is_reported_with_the_file(kb_copy: Path) -> None:
    (kb_copy / "topics" / "thanks.yaml").write_text("id: thanks\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="thanks.yaml: is not valid YAML"):
        load_knowledge(kb_copy)


def test_a_topic_file_that_is_not_a_mapping(kb_copy: Path) -> None:
    (kb_copy / "topics" / "thanks.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="must hold a mapping"):
        load_knowledge(kb_copy)


def test_synonym_in_two_groups_is_rejected(kb_copy: Path) -> None:
    edit_yaml(kb_copy / "synonyms.yaml", lambda d: d["cost"].append("hire"))
    with pytest.raises(KnowledgeError, match="'hire' is already in group '(recruit|cost)'"):
        load_knowledge(kb_copy)


def test_synonyms_are_single_words(kb_copy: Path) -> None:
    edit_yaml(kb_copy / "synonyms.yaml", lambda d: d["cost"].append("return on investment"))
    with pytest.raises(KnowledgeError, match="not a single word"):
        load_knowledge(kb_copy)


def test_quality_check_flags_thin_topics_and_near_duplicates(kb_copy: Path) -> None:
    edit_yaml(
        kb_copy / "topics" / "recruitment.yaml", lambda d: d["examples"].update(en=d["examples"]["en"][:5])
    )
    edit_yaml(
        kb_copy / "topics" / "cost-benefit.yaml",
        lambda d: d["examples"]["en"].append("can I put the facebook app on my company computer!"),
    )
    findings = [str(f) for f in check_knowledge(load_knowledge(kb_copy))]
    assert any(f.startswith("error: topics/recruitment.yaml: examples.en") for f in findings)
    assert any("warning:" in f and "cost-benefit" in f and "install-apps" in f for f in findings)
