from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from adapters.cli import app
from adapters.console import Console
from bot import Advisor, KnowledgeError, Outcome, Query, load_knowledge
from bot.knowledge.checklists import MAX_SECTION_ITEMS
from bot.knowledge.sources import SOURCES

REQUIRED = [
    "join-group",
    "install-app",
    "business-profile",
    "share-business-info",
    "campaign",
    "recruiting-post",
]


def edit_yaml(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_required_checklists_are_complete(advisor: Advisor) -> None:
    checklists = advisor.knowledge.checklists
    assert set(REQUIRED) <= set(checklists)
    for checklist in checklists.values():
        items = list(checklist.items())
        assert len(items) >= 5, checklist.id
        assert checklist.sources and set(checklist.sources) <= set(SOURCES)
        assert set(checklist.topics) <= set(advisor.knowledge.topics)
        for item in items:
            assert item.text.en and item.text.he and item.why.en and item.why.he
            assert item.source in SOURCES, f"{checklist.id}/{item.id} names no source"
        assert all(len(s.items) <= MAX_SECTION_ITEMS for s in checklist.sections)
    assert sum(1 for _ in checklists["campaign"].items()) > MAX_SECTION_ITEMS
    assert len(checklists["campaign"].sections) == 2


@pytest.mark.parametrize(
    ("topic", "checklist"),
    [
        ("install-apps", "install-app"),
        ("join-groups", "join-group"),
        ("separate-accounts", "business-profile"),
        ("restrict-visibility", "share-business-info"),
        ("viral-promo", "campaign"),
        ("recruitment", "recruiting-post"),
    ],
)
def test_answers_offer_their_checklist(advisor: Advisor, topic: str, checklist: str) -> None:
    answer = advisor.handle(Query("", topic=topic))
    assert answer.checklist is not None
    assert (answer.checklist.id, answer.checklist.kind) == (checklist, "checklist")
    assert answer.checklist.title == advisor.knowledge.checklists[checklist].title.en


@pytest.mark.parametrize(
    ("name", "expected", "lang"),
    [
        ("join-group", "join-group", "en"),
        ("Join Group", "join-group", "en"),
        ("joining a group", "join-group", "en"),
        ("install app", "install-app", "en"),
        ("instal-app", "install-app", "en"),
        ("campaign", "campaign", "en"),
        ("הצטרפות לקבוצה", "join-group", "he"),
        ("פרסום משרה", "recruiting-post", "he"),
        ("קמפיין", "campaign", "he"),
        ("Before you post business information", "share-business-info", "en"),
    ],
)
def test_lookup_by_id_name_and_alias(advisor: Advisor, name: str, expected: str, lang: str) -> None:
    answer = advisor.handle(Query("", checklist=name))
    assert answer.outcome is Outcome.ANSWERED and answer.steps is not None
    assert answer.steps.id == expected and answer.lang == lang and answer.steps.lang == lang


@pytest.mark.parametrize(
    ("text", "expected", "lang"),
    [
        ("checklist for joining a group", "join-group", "en"),
        ("רשימת בדיקה להצטרפות לקבוצה", "join-group", "he"),
        ("give me the checklist before installing an app", "install-app", "en"),
        ("צ'קליסט לפני קמפיין שיווקי", "campaign", "he"),
        ("step by step for posting a job on linkedin", "recruiting-post", "en"),
        ("checklist for setting up my business profile", "business-profile", "en"),
    ],
)
def test_free_text_requests_return_the_checklist(
    advisor: Advisor, text: str, expected: str, lang: str
) -> None:
    answer = advisor.handle(Query(text))
    assert answer.steps is not None and answer.steps.id == expected, answer
    assert answer.lang == lang and answer.question == text


@pytest.mark.parametrize("name", ["no-such-list", "zzz", "🙂", ""])
def test_unknown_or_missing_name_lists_the_checklists(advisor: Advisor, name: str) -> None:
    answer = advisor.handle(Query("", checklist=name))
    assert answer.outcome is Outcome.CLARIFY and answer.steps is None
    assert {o.id for o in answer.options} == set(advisor.knowledge.checklists)
    assert all(o.kind == "checklist" for o in answer.options)
    if name.strip():
        assert name in answer.text
    assert advisor.handle(Query("checklist please")).options == answer.options


def test_the_view_keeps_sections_and_languages(advisor: Advisor) -> None:
    steps = advisor.handle(Query("", checklist="campaign", lang="he")).steps
    assert steps is not None
    assert [s.title for s in steps.sections] == ["תכנון", "מסר"]
    assert len(steps.items()) == 11 and steps.items()[0].id == "target-defined"
    assert "אסטרטגיה" in steps.source_label
    data = steps.to_dict()
    assert data["sections"][1]["items"][0]["id"] == "message-fits"


def test_finishing_reports_what_was_left_and_why(advisor: Advisor) -> None:
    done = {"network-kind", "business-profile", "members-learn"}
    answer = advisor.handle(Query("", checklist="join-group", ticked=frozenset(done | {"not-an-item"})))
    assert answer.outcome is Outcome.ANSWERED and answer.steps is None
    assert [i.id for i in answer.missed] == ["who-sees", "leave-if-mixed"]
    assert answer.missed[0].why.startswith("Joining shows you")
    assert answer.text == "You left 2 of 5 unticked. Here is why each one matters:"
    assert [o.id for o in answer.suggestions][0] == "join-groups"
    every = {i.id for i in advisor.knowledge.checklists["join-group"].items()}
    complete = advisor.handle(Query("", checklist="join-group", ticked=frozenset(every), lang="he"))
    assert complete.missed == () and complete.text == "כל 5 הפריטים סומנו: אפשר להתקדם."


BROKEN = [
    (
        lambda d: d["sections"][0]["items"][0]["text"].pop("he"),
        "sections.0.items.0.text.he",
        "Field required",
    ),
    (lambda d: d["sections"][0]["items"][1].update(id="network-kind"), "(file)", "used twice"),
    (
        lambda d: d["sections"][0]["items"].extend(d["sections"][0]["items"][0:1] * 6),
        "sections.0.items",
        "at most 10",
    ),
    (lambda d: d["topics"].append("no-topic"), "topics.3", "unknown topic"),
    (lambda d: d.update(sources=[]), "sources", "at least 1"),
    (
        lambda d: d["sections"][0]["items"][0].update(source="Rule 7"),
        "sections.0.items.0.source",
        "Input should be",
    ),
]


@pytest.mark.parametrize(("change", "field", "problem"), BROKEN)
def test_invalid_checklists_name_file_and_field(kb_copy: Path, change, field: str, problem: str) -> None:  # type: ignore[no-untyped-def]
    edit_yaml(kb_copy / "checklists" / "join-group.yaml", change)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(kb_copy)
    assert caught.value.file.endswith("join-group.yaml")
    assert caught.value.field == field and problem in caught.value.problem


def test_a_topic_naming_an_unknown_checklist_is_rejected(kb_copy: Path) -> None:
    edit_yaml(kb_copy / "topics" / "join-groups.yaml", lambda d: d.update(checklist="no-list"))
    with pytest.raises(KnowledgeError, match="join-groups.yaml: checklist: unknown checklist 'no-list'"):
        load_knowledge(kb_copy)


def test_console_ticks_through_and_summarizes(advisor: Advisor) -> None:
    replies = iter(["checklist before installing an app", "y", "n", "כן", "no", "yes", "quit"])
    out = io.StringIO()
    Console(advisor, lambda prompt: next(replies), out).run()
    text = out.getvalue()
    assert "You left 2 of 5 unticked" in text
    assert "✘ I checked what it asks to read: contacts, mail, calendar, files." in text
    assert "✘ If it is not approved, I asked the policy owner instead of installing it." in text
    assert "✘ The app is on" not in text


def test_console_picks_a_checklist_offered_by_an_answer(advisor: Advisor) -> None:
    console = Console(advisor, lambda prompt: "n", io.StringIO())
    answer = console.ask("should I join this facebook group?")
    number = [o.kind for o in answer.suggestions].count("topic") + 1
    shown = console.ask(str(number))
    assert shown.steps is not None and shown.steps.id == "join-group"


runner = CliRunner()


def test_cli_prints_lists_and_gives_json() -> None:
    printed = runner.invoke(app, ["checklist", "install-app"])
    assert (
        printed.exit_code == 0
        and "[ ] I know whether this would go on the business computer" in printed.output
    )
    listed = runner.invoke(app, ["checklist", "--list"])
    assert listed.exit_code == 0 and listed.output.count(") ") >= 6
    data = json.loads(runner.invoke(app, ["checklist", "--json", "campaign"]).output)
    assert data["id"] == "campaign" and len(data["sections"]) == 2
    assert {"id", "text", "why"} == set(data["sections"][0]["items"][0])
    unknown = runner.invoke(app, ["checklist", "nope"])
    assert unknown.exit_code == 1 and 'called "nope"' in unknown.output
    names = json.loads(runner.invoke(app, ["checklist", "--json", "--list"]).output)
    assert len(names["checklists"]) == 6


def test_cli_tick_through_reads_answers() -> None:
    result = runner.invoke(app, ["checklist", "--tick", "join-group"], input="y\ny\ny\ny\ny\n")
    assert result.exit_code == 0 and "All 5 items ticked" in result.output
