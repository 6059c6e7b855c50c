"""What ``advisor eval`` counts: expected verdicts derived from a topic and the policy, and
verdicts right among the answers given."""

from __future__ import annotations

from bot import Advisor, Knowledge
from bot.evaluation import LabelledQuestion, evaluate, expected_verdict, named


def test_a_named_network_or_approved_app_picks_the_topics_verdict_rule(knowledge: Knowledge) -> None:
    assert expected_verdict(knowledge, "join-groups", "should I join a LinkedIn group") == "yes"
    assert expected_verdict(knowledge, "join-groups", "ולהצטרף לקבוצה בפייסבוק?") == "caution"
    assert expected_verdict(knowledge, "join-groups", "should I join this group") == "caution"
    assert expected_verdict(knowledge, "install-apps", "can I install Hootsuite at work") == "yes"
    assert expected_verdict(knowledge, "install-apps", "can I install the linked in app") == "no"
    assert expected_verdict(knowledge, "separate-accounts", "one account on linkedin for all?") == "no"


def test_names_are_found_word_for_word_only(knowledge: Knowledge) -> None:
    policy = knowledge.policy
    assert named(policy, "the linkedin sales navigator plugin") == {"app": "approved"}
    assert named(policy, "ולאינסטגרם") == {"network": "personal"}
    assert named(policy, "a linkdin group") == {"network": "professional"}
    assert named(policy, "a linkdxn group") == {}
    assert named(policy, "lighting and instant igloos") == {}


def test_a_wrong_verdict_counts_against_and_an_unanswered_question_not_at_all(advisor: Advisor) -> None:
    rows = [
        LabelledQuestion("should I join a LinkedIn group about security", "join-groups", "en", "yes"),
        LabelledQuestion("should I join a LinkedIn group about marketing", "join-groups", "en", "no"),
        LabelledQuestion("what is the capital of France", "join-groups", "en", "yes"),
        LabelledQuestion("hello", "greeting", "en", None),
    ]
    report = evaluate(advisor, rows)
    assert report.verdicts == 2 and report.verdicts_right == 1
    assert report.verdict_accuracy == 0.5
    assert report.to_dict()["verdict_accuracy"] == 0.5
