"""Conversation scenarios through the one entry point, ``Advisor.handle``."""

from __future__ import annotations

import pytest

from bot import Advisor, Outcome, Query
from bot.testing import AdvisorTester


def test_the_three_questions_from_the_brief(tester: AdvisorTester) -> None:
    app = tester.expect(
        "may I install this LinkedIn app on my work laptop?",
        topic="install-apps",
        outcome="answered",
        verdict="no",
        lang="en",
    )
    assert app.source == "Rule 3" and "Rule 3" in (app.source_label or "")
    assert app.entities == {"network": "linkedin", "network_kind": "professional"}
    tester.expect("should I join this Facebook group?", topic="join-groups", verdict="caution")
    tester.expect("who should see my business details?", topic="restrict-visibility", verdict="caution")


def test_join_groups_verdict_depends_on_the_network(tester: AdvisorTester) -> None:
    pro = tester.expect("can I join a LinkedIn group for my industry?", topic="join-groups", verdict="yes")
    assert "LinkedIn" in pro.text and pro.entities["network_kind"] == "professional"
    personal = tester.expect("can I join a group on Instagram?", topic="join-groups", verdict="caution")
    assert "Instagram" in personal.text and "personal network" in personal.text
    unnamed = tester.expect("should I join this group?", topic="join-groups", verdict="caution")
    assert "Ask yourself" in unnamed.text and unnamed.entities == {}


def test_join_groups_in_hebrew_with_prefixes(tester: AdvisorTester) -> None:
    pro = tester.expect("ולהצטרף לקבוצה בלינקדאין?", topic="join-groups", verdict="yes", lang="he")
    assert "רשת מקצועית" in pro.text
    tester.expect("כדאי להצטרף לקבוצה בפייסבוק?", topic="join-groups", verdict="caution", lang="he")


def test_install_apps_verdict_depends_on_the_approved_list(tester: AdvisorTester) -> None:
    approved = tester.expect(
        "can I install Hootsuite on my work computer?", topic="install-apps", verdict="yes"
    )
    assert "Hootsuite" in approved.text and "marketing team" in approved.text
    assert approved.entities == {"app": "hootsuite", "app_approved": True}
    tester.expect("can I install the TikTok app on my work computer?", topic="install-apps", verdict="no")
    he = tester.expect(
        "מותר להתקין את הוטסוויט במחשב העבודה?", topic="install-apps", verdict="yes", lang="he"
    )
    assert "הוטסוויט" not in he.text and "Hootsuite" in he.text


def test_answer_carries_title_source_and_follow_ups(tester: AdvisorTester) -> None:
    answer = tester.ask("should I have a separate profile for business?")
    assert answer.outcome is Outcome.ANSWERED and answer.topic == "separate-accounts"
    assert answer.title and answer.verdict_label and answer.source_label
    assert [o.id for o in answer.suggestions] == ["restrict-visibility", "join-groups"]
    assert 0.0 < answer.confidence <= 1.0


def test_reply_language_follows_the_question(tester: AdvisorTester) -> None:
    he = tester.expect("מי צריך לראות את הפרטים העסקיים שלי?", topic="restrict-visibility", lang="he")
    assert "לינקדאין" in he.text and he.title == "מי צריך לראות את הפרטים העסקיים שלך"
    assert all("\u05d0" <= ch <= "\u05ea" for ch in (he.verdict_label or "").replace(" ", ""))


@pytest.mark.parametrize(
    "question",
    [
        "what's the weather today",
        "how do I reset my password",
        "who won the game last night",
        "מה מזג האוויר היום",
        "איך מאפסים סיסמה",
        "convert 20 dollars to shekels",
    ],
)
def test_off_topic_questions_are_declined_politely(tester: AdvisorTester, question: str) -> None:
    answer = tester.expect(question, outcome="declined")
    assert answer.topic is None and answer.verdict is None
    assert "security@example.com" in answer.text
    assert [o.id for o in answer.suggestions] == ["help"]


def test_close_topics_ask_back_with_options(advisor: Advisor) -> None:
    answer = advisor.handle(Query("networks"))
    assert answer.outcome is Outcome.CLARIFY, answer.candidates
    assert 2 <= len(answer.options) <= 3
    assert answer.topic is None and answer.text == advisor.knowledge.phrases.clarify.en
    assert len({o.id for o in answer.options}) == len(answer.options)


def test_a_network_alone_is_asked_what_about_it(advisor: Advisor) -> None:
    answer = advisor.handle(Query("facebook"))
    assert answer.outcome is Outcome.CLARIFY and answer.topic is None
    cues = advisor.knowledge.conversation
    assert cues is not None and answer.text == cues.ask_back.en
    assert [o.id for o in answer.options][:2] == ["join-groups", "install-apps"]


def test_picking_an_option_answers_that_topic(advisor: Advisor) -> None:
    picked = advisor.handle(Query("1", topic="viral-promo", lang="he"))
    assert picked.outcome is Outcome.ANSWERED and picked.topic == "viral-promo" and picked.lang == "he"
    assert picked.confidence == 1.0


def test_picking_an_unknown_topic_falls_back_to_the_text(advisor: Advisor) -> None:
    answer = advisor.handle(Query("should I join this Facebook group?", topic="no-such-topic"))
    assert answer.topic == "join-groups"
    assert advisor.handle(Query("hello", topic="off-topic")).topic == "greeting"


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("", "empty"),
        ("   \t\n ", "empty"),
        ("🙂🙂🙂", "no_words"),
        ("?!...", "no_words"),
        ("x" * 50_000, "too_long"),
        ("\x00\x01\x02", "empty"),
    ],
)
def test_bad_input_gets_a_clear_message(advisor: Advisor, text: str, phrase: str) -> None:
    answer = advisor.handle(Query(text))
    assert answer.outcome is Outcome.DECLINED
    expected = getattr(advisor.knowledge.phrases, phrase).en.replace("{limit}", "1000")
    assert answer.text == expected
    assert len(answer.question) <= 1000


def test_control_characters_inside_a_question_are_ignored(tester: AdvisorTester) -> None:
    tester.expect("should I join\x00 this \u202eFacebook\u200f group?", topic="join-groups")


def test_smalltalk(tester: AdvisorTester) -> None:
    tester.expect("hi", topic="greeting", outcome="answered")
    tester.expect("thanks a lot!", topic="thanks")
    help_answer = tester.expect("what can you do?", topic="help")
    assert "Example Ltd." in help_answer.text and "security@example.com" in help_answer.text
    tester.expect("תודה רבה", topic="thanks", lang="he")


def test_latency_is_measured(advisor: Advisor) -> None:
    answer = advisor.handle(Query("should I join this Facebook group?"))
    assert answer.latency_ms > 0.0


def test_json_shape(advisor: Advisor) -> None:
    data = advisor.handle(Query("can I join a LinkedIn group?")).to_dict()
    assert set(data) >= {
        "question",
        "topic",
        "outcome",
        "confidence",
        "verdict",
        "lang",
        "answer",
        "source",
        "suggestions",
        "entities",
    }
    assert data["entities"] == {"network": "linkedin", "network_kind": "professional"}
    assert isinstance(data["suggestions"], list) and all(isinstance(s, str) for s in data["suggestions"])
