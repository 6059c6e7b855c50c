from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot import Knowledge, Query, load_knowledge
from bot.advisor import Advisor
from bot.matching.entities import EntityFinder


@pytest.fixture(scope="module")
def finder(knowledge: Knowledge) -> EntityFinder:
    return EntityFinder(
        knowledge.policy, knowledge.domain.terms.all(), knowledge.domain.checklist_words.all()
    )


@pytest.mark.parametrize(
    ("text", "network"),
    [
        ("should I join this Facebook group?", "facebook"),
        ("should I join this facebok group", "facebook"),
        ("group on fb?", "facebook"),
        ("can i join a linked in group", "linkedin"),
        ("LINKEDIN!!!", "linkedin"),
        ("linkdin groups", "linkedin"),
        ("ולהצטרף לקבוצה בלינקדאין?", "linkedin"),
        ("ולפייסבוק?", "facebook"),
        ("מהפייסבוק", "facebook"),
        ("שבאינסטגרם", "instagram"),
        ("כשבטיקטוק", "tiktok"),
        ("קבוצה בלינקד-אין", "linkedin"),
        ("קבוצת ווטסאפ של לקוחות", "whatsapp"),
        ("post it on twitter", "x"),
        ("ובX?", "x"),
        ("מה עם ב-X", "x"),
        ("ולIG?", "instagram"),
        ("what about tt", "tiktok"),
        ("a wa group of nurses", "whatsapp"),
        ("ב-LinkedIn", "linkedin"),
        ("בx", "x"),
        ("לבית", None),
        ("is the weather nice", None),
        ("install this app", None),
    ],
)
def test_networks_are_found(finder: EntityFinder, text: str, network: str | None) -> None:
    assert finder.find(text).network == network


def test_short_aliases_need_an_exact_match(finder: EntityFinder) -> None:
    assert finder.find("can I instal the app").network is None
    assert finder.find("fbi agent").network is None


def test_apps_are_found_and_win_over_their_network(finder: EntityFinder) -> None:
    found = finder.find("may I use LinkedIn Sales Navigator at work")
    assert found.app == "sales-navigator"
    assert finder.find("מותר להתקין את הוטסוויט?").app == "hootsuite"
    assert finder.find("hootsuit on my laptop").app == "hootsuite"


def test_domain_terms_mark_the_question(finder: EntityFinder) -> None:
    assert finder.find("what about social media in general").domain
    assert finder.find("מה לגבי רשתות חברתיות").domain
    assert not finder.find("how do I reset my password").domain


def test_policy_file_overrides_the_defaults(kb_copy: Path, tmp_path: Path) -> None:
    policy = yaml.safe_load((kb_copy / "policy.yaml").read_text(encoding="utf-8"))
    policy["organization"] = {"en": "Acme Corp", "he": "אקמי"}
    policy["owner"]["contact"] = "#ask-security"
    for network in policy["networks"]:
        if network["id"] == "facebook":
            network["kind"] = "professional"
    policy["approved_apps"].append(
        {
            "id": "buffer",
            "name": "Buffer",
            "aliases": {"en": ["buffer app"], "he": ["באפר"]},
            "note": {"en": "for the social team.", "he": "לצוות הסושיאל."},
        }
    )
    override = tmp_path / "our-policy.yaml"
    override.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    advisor = Advisor(load_knowledge(kb_copy, override))

    group = advisor.handle(Query("should I join this Facebook group?"))
    assert group.verdict and group.verdict.value == "yes"
    app = advisor.handle(Query("can I install Buffer on my work computer?"))
    assert app.verdict and app.verdict.value == "yes"
    assert "Acme Corp" in app.text and "for the social team." in app.text
    declined = advisor.handle(Query("how do I reset my password"))
    assert "#ask-security" in declined.text


def test_checklist_requests_are_recognized(finder: EntityFinder) -> None:
    assert finder.find("checklist for joining a group").checklist
    assert finder.find("רשימת בדיקה להצטרפות לקבוצה").checklist
    assert finder.find("צ'קליסט לקמפיין").checklist
    found = finder.find("checklist for a linkedin group")
    assert found.checklist and found.network == "linkedin" and found.domain
    assert not finder.find("checklist please").domain
    assert not finder.find("should I join this group").checklist
