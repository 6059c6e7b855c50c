"""Teaching the advisor: what is refused and why, what is stored, and what the advisor then
answers, rebuilt in the background without ever failing a question."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from bot.advisor import Advisor
from bot.knowledge.knowledge import Knowledge
from bot.learned.records import Entry, MemoryLearnedStore
from bot.learned.refresh import Refresher
from bot.learned.teach import MAX_ANSWER, MAX_QUESTION, MAX_VARIANTS, Teacher
from bot.matching.build import TopicTexts, build_matcher, growing
from bot.matching.lexical import Matcher
from bot.query import Query
from bot.testing import shipped_advisor

LAUNCH = {"en": ["may I livestream our product launch on TikTok?", "can we stream the launch on tiktok"]}
NO = {"en": "No: product launches stream only on the company's own channels."}


@pytest.fixture
def base() -> Advisor:
    return shipped_advisor(matcher="lexical")


@pytest.fixture
def teacher(base: Advisor) -> Teacher:
    return Teacher(MemoryLearnedStore(), base.knowledge)


def lexical(knowledge: Knowledge) -> Matcher:
    return build_matcher(TopicTexts.of(knowledge), "lexical")


@pytest.mark.parametrize(
    ("topic", "text", "refused", "he"),
    [
        ("no-such-topic", "may I join this group?", "unknown-topic", "אין נושא no-such-topic"),
        ("greeting", "yo advisor", "not-advice", "greeting אינו נושא של עצה"),
        ("join-groups", " ?! ", "empty", "שאלה צריכה מילים"),
        ("join-groups", "group " * MAX_QUESTION, "too-long", "the question ארוך מדי"),
        ("join-groups", "should I join this facebook group", "other-topic", None),
    ],
)
def test_an_example_that_cannot_be_added_is_refused_and_nothing_stored(
    teacher: Teacher, topic: str, text: str, refused: str, he: str | None
) -> None:
    if refused == "other-topic":
        topic = "install-apps"
    lesson = teacher.add_example(topic, text, "Dana")
    assert (lesson.refused, lesson.item, lesson.changed) == (refused, None, False)
    assert lesson.message("en") and lesson.message("he") != lesson.message("en")
    if he is not None:
        assert lesson.message("he") == he
    assert teacher.store.stamp() == 0


def test_an_example_is_stored_once_and_one_it_has_is_already_so(teacher: Teacher) -> None:
    first = teacher.add_example("join-groups", "is the alumni whatsapp group ok", "Dana", ticket=4)
    assert first.changed and first.item is not None and first.item.ticket == 4
    again = teacher.add_example("join-groups", "Is the alumni WhatsApp group OK", "Eli")
    assert (again.changed, again.refused) == (False, None)
    shipped = teacher.add_example("join-groups", "should I join this facebook group", "Dana")
    assert (shipped.changed, shipped.refused) == (False, None)
    assert len(teacher.learned().examples) == 1
    hebrew = teacher.add_example("join-groups", "מותר להצטרף לקבוצת הבוגרים בוואטסאפ?", "Dana")
    assert hebrew.item is not None and hebrew.item.lang == "he"


@pytest.mark.parametrize(
    ("topic", "variants", "answer", "verdict", "refused"),
    [
        (None, LAUNCH, NO, "no", "no-id"),
        ("Owner Seven", LAUNCH, NO, "no", "bad-id"),
        ("join-groups", LAUNCH, NO, "no", "taken"),
        ("owner-7", {"en": [], "he": ["  "]}, NO, "no", "empty"),
        ("owner-7", {}, NO, "no", "no-variants"),
        ("owner-7", {"en": [f"question number {n}?" for n in range(MAX_VARIANTS + 1)]}, NO, "no", "too-many"),
        ("owner-7", LAUNCH, {"en": " ", "he": None}, "no", "no-answer"),
        ("owner-7", LAUNCH, {"fr": "Non."}, "no", "no-answer"),
        ("owner-7", LAUNCH, {"en": "x" * (MAX_ANSWER + 1)}, "no", "too-long"),
        ("owner-7", LAUNCH, NO, "maybe", "verdict"),
        ("owner-7", {"en": ["should I join this facebook group"]}, NO, "no", "other-topic"),
    ],
)
def test_an_entry_that_cannot_be_published_is_refused_and_nothing_stored(
    teacher: Teacher,
    topic: str | None,
    variants: dict[str, list[str]],
    answer: dict[str, str | None],
    verdict: str,
    refused: str,
) -> None:
    lesson = teacher.publish(topic, variants, answer, verdict, "Dana")
    assert (lesson.refused, lesson.item) == (refused, None)
    assert lesson.message("he")
    assert teacher.store.stamp() == 0


def test_an_entry_is_published_once_under_its_ticket_and_a_different_one_is_refused(teacher: Teacher) -> None:
    lesson = teacher.publish(None, LAUNCH, NO, "no", "Dana", ticket=7)
    assert lesson.changed and isinstance(lesson.item, Entry) and lesson.item.topic == "owner-7"
    assert teacher.publish(None, LAUNCH, NO, "no", "Eli", ticket=7).changed is False
    assert teacher.publish(None, LAUNCH, NO, "yes", "Eli", ticket=7).refused == "taken"
    other = teacher.publish(
        "owner-8", {"en": ["may I livestream our product launch on TikTok?"]}, NO, "no", "E"
    )
    assert (other.refused, other.detail) == ("other-topic", "owner-7")
    assert len(teacher.learned().entries) == 1
    example = teacher.add_example("owner-7", "is a tiktok live of the launch fine", "Dana")
    assert example.changed


def test_the_advisor_serves_what_was_learned_citing_the_policy_owner(base: Advisor, teacher: Teacher) -> None:
    advisor = Advisor(base.knowledge, matcher=base.matcher, thresholds=base.thresholds)
    teacher.publish(None, LAUNCH, {"he": "לא: השקות משודרות {רק} בערוצים שלנו."}, "no", "Dana", ticket=7)
    refresher = Refresher(advisor, base.knowledge, teacher.store, growing(base.matcher), 60)
    assert advisor.handle(Query("can we livestream the product launch on TikTok?")).topic != "owner-7"
    assert refresher.refresh() is True
    answer = advisor.handle(Query("can we livestream the product launch on TikTok?"))
    assert (answer.topic, answer.source, answer.verdict) == ("owner-7", "Policy owner", "no")
    assert answer.text == "לא: השקות משודרות {רק} בערוצים שלנו."
    assert answer.source_label == "Source: the policy owner"
    assert advisor.handle(Query("should I join this facebook group?")).topic == "join-groups"
    assert refresher.refresh() is False


def test_a_failing_build_leaves_the_advisor_answering_and_is_tried_again(base: Advisor) -> None:
    advisor = Advisor(base.knowledge, matcher=base.matcher, thresholds=base.thresholds)
    teacher = Teacher(MemoryLearnedStore(), base.knowledge)
    teacher.publish(None, LAUNCH, NO, "no", "Dana", ticket=7)
    calls: list[int] = []
    built = threading.Event()

    def flaky(knowledge: Knowledge) -> Matcher:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the encoder is not there")
        matcher = lexical(knowledge)
        built.set()
        return matcher

    served = advisor.matcher
    refresher = Refresher(advisor, base.knowledge, teacher.store, flaky, 0.05).start()
    try:
        assert advisor.handle(Query("should I join this facebook group?")).topic == "join-groups"
        assert built.wait(120)
        wait_for(lambda: advisor.matcher is not served)
        assert advisor.handle(Query("can we livestream the product launch on TikTok?")).topic == "owner-7"
    finally:
        refresher.close()
    assert len(calls) == 2


def wait_for(condition: Callable[[], bool], deadline: float = 30.0) -> None:
    done = threading.Event()
    for _ in range(int(deadline / 0.05)):
        if condition():
            return
        done.wait(0.05)
    raise AssertionError("the condition was not met in time")
