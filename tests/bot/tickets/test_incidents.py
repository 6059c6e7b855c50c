"""Incidents: questions about an account taken over, business information posted by mistake, a
fake profile or an app that already has the contacts get the first steps, in the asker's
language, and point to the policy owner; they are the incidents the tickets' file names."""

from __future__ import annotations

import pytest

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.testing import AdvisorTester
from bot.tickets.phrases import load_ticket_phrases

CASES = [
    ("help, my linkedin got hacked and it is messaging my clients", "en", "account-taken-over"),
    ("מישהו פרץ לי לחשבון בפייסבוק ומפרסם בשמי", "he", "account-taken-over"),
    ("I accidentally posted our quarterly numbers on my public profile", "en", "business-info-posted"),
    ("העליתי בטעות לפייסבוק צילום של מסמך פנימי", "he", "business-info-posted"),
    ("someone opened a fake linkedin page pretending to be our company", "en", "fake-profile"),
    ("יש מישהו שמתחזה לסמנכ״ל שלנו בלינקדאין", "he", "fake-profile"),
    ("an app I approved yesterday copied my whole contact list", "en", "suspicious-app-access"),
    ("אפליקציה שאישרתי העתיקה את כל אנשי הקשר שלי", "he", "suspicious-app-access"),
]


@pytest.mark.parametrize(("question", "lang", "topic"), CASES)
def test_an_incident_gets_first_steps_and_the_owner(
    tester: AdvisorTester, question: str, lang: str, topic: str
) -> None:
    answer = tester.ask(question)
    assert (answer.topic, answer.lang, answer.outcome) == (topic, lang, "answered")
    owner = tester.advisor.knowledge.policy.owner
    assert answer.text.startswith(("Act now", "Report it now", "פעלו עכשיו", "דווחו עכשיו"))
    assert owner.contact in answer.text and owner.name.get(lang) in answer.text


def test_the_incidents_are_topics_of_the_knowledge_base(tester: AdvisorTester) -> None:
    phrases = load_ticket_phrases(DEFAULT_KNOWLEDGE_DIR, tester.advisor.knowledge.topics)
    assert sorted(phrases.incidents) == sorted(t for _, _, t in CASES[::2])
    for topic in phrases.incidents:
        assert tester.advisor.knowledge.topics[topic].verdict == "caution"
