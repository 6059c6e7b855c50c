"""How people really type: typos, missing spaces, niqqud, prefixes and mixed languages."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import Outcome
from bot.testing import AdvisorTester

CASES = [
    # typos and casing
    ("can i instal the linkdin ap on my laptp", "install-apps"),
    ("SHOULD I JOIN THIS FACEBOOK GROUP", "join-groups"),
    ("shoud i joinn a linkedn grup", "join-groups"),
    ("who shuold see my busines details", "restrict-visibility"),
    ("recruting developers on linkedin", "recruitment"),
    # missing spaces and punctuation
    ("installlinkedin on my worklaptop?", "install-apps"),
    ("join...facebook...group???", "join-groups"),
    # paraphrases
    ("is it alright to put the instagram application on the office computer", "install-apps"),
    ("I got an invitation to a facebook community of customers", "join-groups"),
    ("is it smart to mix my private profile with work contacts", "separate-accounts"),
    ("how visible should my professional details be", "restrict-visibility"),
    ("what do we gain as a company from social media", "business-benefits"),
    ("we'd like our teaser to spread as far as possible", "viral-promo"),
    # Hebrew prefixes ו ה ב ל מ ש כ and niqqud
    ("ולהתקין את האפליקציה של פייסבוק במחשב העבודה?", "install-apps"),
    ("האפליקציה של לינקדאין מותרת במחשב של החברה?", "install-apps"),
    ("בקבוצה של פייסבוק עם לקוחות, להישאר?", "join-groups"),
    ("לקבוצה בלינקדאין כדאי להצטרף?", "join-groups"),
    ("מהפרופיל הפרטי שלי מותר לפרסם דברים של העבודה?", "separate-accounts"),
    ("שהפרטים העסקיים שלי יהיו גלויים רק לקשרים ישירים?", "restrict-visibility"),
    ("כשמגייסים עובדים, אפשר לפרסם משרה בלינקדאין?", "recruitment"),
    ("הַאִם מֻתָּר לְהַתְקִין אֶת הָאַפְּלִיקַצְיָה שֶׁל לִינְקְדְּאִין?", "install-apps"),
    # mixed Hebrew and English
    ("מותר להתקין LinkedIn app על המחשב?", "install-apps"),
    ("להצטרף ל-group בפייסבוק?", "join-groups"),
    ("can I להצטרף לקבוצה בלינקדאין", "join-groups"),
    ("מי רואה את ה-profile העסקי שלי?", "restrict-visibility"),
]


@pytest.mark.parametrize(("text", "topic"), CASES)
def test_people_are_understood_however_they_type(tester: AdvisorTester, text: str, topic: str) -> None:
    answer = tester.expect(text, topic=topic)
    assert answer.outcome is not Outcome.DECLINED


@pytest.mark.parametrize(
    "text",
    [
        "how do I fix the coffee machine",
        "what's 2+2",
        "recommend a good book",
        "when is the team lunch",
        "איפה השירותים",
        "מה השעה",
        "tell me about quantum physics",
    ],
)
def test_questions_outside_the_domain_are_declined(tester: AdvisorTester, text: str) -> None:
    tester.expect(text, outcome="declined")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gets_an_answer(text: str) -> None:
    answer = AdvisorTester().ask(text)
    assert answer.text and answer.lang in ("en", "he")
    if answer.outcome is Outcome.CLARIFY and answer.options[0].kind == "topic":
        assert 2 <= len(answer.options) <= 3
    if answer.outcome is Outcome.ANSWERED and answer.steps is None:
        assert answer.topic and answer.verdict and answer.source


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([c[0] for c in CASES]), st.sampled_from(["", " ", "!!!", "?", "\n", "  🙂"]))
def test_trailing_noise_does_not_change_the_topic(text: str, noise: str) -> None:
    tester = AdvisorTester()
    assert tester.ask(text).topic == tester.ask(text + noise).topic
