"""Teaching the advisor: what is refused and why, what is stored, and what the advisor then
answers, rebuilt in the background without ever failing a question."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from bot.advisor import Advisor
from bot.knowledge.knowledge import Knowledge
from bot.learned.merge import with_learned
from bot.learned.records import Entry, LearnedStore, MemoryLearnedStore
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
    ("topic", "text", "refused", "en", "he"),
    [
        (
            "no-such-topic",
            "may I join this group?",
            "unknown-topic",
            "there is no topic no-such-topic",
            "אין נושא no-such-topic",
        ),
        (
            "greeting",
            "yo advisor",
            "not-advice",
            "greeting is not an advice topic",
            "greeting אינו נושא של עצה",
        ),
        ("join-groups", " ?! ", "empty", "a question needs some words", "שאלה צריכה מילים"),
        (
            "join-groups",
            "group " * MAX_QUESTION,
            "too-long",
            f"the question is too long (at most {MAX_QUESTION} characters)",
            f"השאלה ארוכה מדי (לכל היותר {MAX_QUESTION} תווים)",
        ),
        (
            "install-apps",
            "should I join this facebook group",
            "other-topic",
            "that question is an example of join-groups already",
            "השאלה הזאת כבר דוגמה של join-groups",
        ),
    ],
)
def test_an_example_that_cannot_be_added_is_refused_in_both_languages_and_nothing_stored(
    teacher: Teacher, topic: str, text: str, refused: str, en: str, he: str
) -> None:
    lesson = teacher.add_example(topic, text, "Dana")
    assert (lesson.refused, lesson.item, lesson.changed) == (refused, None, False)
    assert (teacher.message(lesson, "en"), teacher.message(lesson, "he")) == (en, he)
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
    english, hebrew = teacher.message(lesson, "en"), teacher.message(lesson, "he")
    assert english.isascii() and not hebrew.isascii()
    assert teacher.store.stamp() == 0


def test_the_refusal_after_answering_names_the_ticket_in_the_owners_language(teacher: Teacher) -> None:
    lesson = teacher.publish("owner-7", LAUNCH, {"en": "x" * (MAX_ANSWER + 1)}, "no", "Dana")
    assert teacher.not_learned(lesson, 7, "en") == (
        f"Ticket #7 is answered, but not learned: the answer is too long (at most {MAX_ANSWER} characters)"
    )
    assert teacher.not_learned(lesson, 7, "he") == (
        f"פנייה מס' 7 נענתה, אבל לא נלמדה: התשובה ארוכה מדי (לכל היותר {MAX_ANSWER} תווים)"
    )
    assert teacher.message(teacher.publish("owner-7", LAUNCH, NO, "no", "Dana"), "he") == ""


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


def test_a_withdrawn_entry_is_no_longer_answered_once_refreshed(
    base: Advisor, learned_store: LearnedStore
) -> None:
    """On every store: memory, SQLite and PostgreSQL."""
    advisor = Advisor(base.knowledge, matcher=base.matcher, thresholds=base.thresholds)
    teacher = Teacher(learned_store, base.knowledge)
    published = teacher.publish(None, LAUNCH, NO, "no", "Dana", ticket=7).item
    added = teacher.add_example("owner-7", "is a tiktok live of the launch fine", "Dana").item
    assert published is not None and added is not None
    refresher = Refresher(advisor, base.knowledge, teacher.store, lexical, 60)
    assert refresher.refresh() is True
    assert advisor.handle(Query("can we livestream the product launch on TikTok?")).topic == "owner-7"
    withdrawn = teacher.withdraw(published.id, "Eli")
    assert withdrawn.changed and withdrawn.item is not None and withdrawn.item.withdrawn is not None
    assert withdrawn.item.withdrawn.by == "Eli"
    assert advisor.handle(Query("can we livestream the product launch on TikTok?")).topic == "owner-7"
    assert refresher.refresh() is True
    answer = advisor.handle(Query("can we livestream the product launch on TikTok?"))
    assert answer.topic != "owner-7" and answer.source != "Policy owner"
    assert "owner-7" not in advisor.knowledge.topics
    assert [e.topic for e in teacher.learned(with_withdrawn=True).entries] == ["owner-7"]
    assert teacher.learned().entries == ()


def test_a_withdrawn_example_no_longer_leads_to_its_topic(base: Advisor, teacher: Teacher) -> None:
    question = "is the alumni whatsapp group of my university ok to be in"
    added = teacher.add_example("join-groups", question, "Dana").item
    assert added is not None
    assert question in teacher.current().topics["join-groups"].examples.en
    assert teacher.withdraw(added.id, "Eli").changed
    assert question not in teacher.current().topics["join-groups"].examples.en
    again = teacher.add_example("join-groups", question, "Dana")
    assert again.changed and again.item is not None and again.item.id != added.id


def test_withdrawing_twice_or_an_unknown_id_is_refused_in_both_languages(teacher: Teacher) -> None:
    published = teacher.publish(None, LAUNCH, NO, "no", "Dana", ticket=7).item
    assert published is not None
    assert teacher.withdraw(published.id, "Eli").changed
    twice = teacher.withdraw(published.id, "Dana")
    assert (twice.refused, twice.changed) == ("withdrawn", False)
    assert twice.item is not None and twice.item.withdrawn is not None and twice.item.withdrawn.by == "Eli"
    when = f"Eli, {twice.item.withdrawn.at:%Y-%m-%d %H:%M} UTC"
    assert teacher.message(twice, "en") == f"it was withdrawn already ({when})"
    assert teacher.message(twice, "he") == f"זה כבר הוסר ({when})"
    unknown = teacher.withdraw(999, "Eli")
    assert (unknown.refused, unknown.item) == ("unknown-item", None)
    assert teacher.message(unknown, "en") == "nothing learned has the id 999"
    assert teacher.message(unknown, "he") == "אין דבר נלמד עם המזהה 999"
    assert teacher.withdraw(published.id, "  ").refused == "no-by"
    assert teacher.withdraw(10**20, "Eli").refused == "unknown-item"


def test_a_matcher_still_offering_a_withdrawn_topic_never_answers_with_it(
    base: Advisor, teacher: Teacher
) -> None:
    teacher.publish(None, LAUNCH, NO, "no", "Dana", ticket=7)
    taught = with_learned(base.knowledge, teacher.learned())
    advisor = Advisor(taught, matcher=growing(base.matcher)(taught), thresholds=base.thresholds)
    question = Query("can we livestream the product launch on TikTok?")
    assert advisor.handle(question).topic == "owner-7"
    # The moment between a withdrawal's knowledge and its matcher: the old matcher offers it.
    advisor.adopt(base.knowledge, advisor.matcher)
    answer = advisor.handle(question)
    assert answer.topic != "owner-7" and "owner-7" not in [c.topic for c in answer.candidates]
    assert advisor.handle(Query("should I join this facebook group?")).topic == "join-groups"


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
