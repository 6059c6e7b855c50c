"""Follow-ups through ``Advisor.handle``, in wordings the labelled conversation set does not
hold: slot changes, why / instead / more, checklists, pronouns, resets, no context, greetings
in between, the time-to-live, erasure, and a store that fails."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot import Advisor, Answer, Query
from bot.answer import Candidate, Outcome
from bot.conversation.context import Conversations
from bot.conversation.store import Context, MemoryContextStore
from bot.decision import Decision
from bot.querylog.pseudonyms import Pseudonymizer

KEY = b"conversation-test-key-0123456789"


class Talk:
    """One conversation with an advisor that shares the shipped matcher."""

    def __init__(
        self, advisor: Advisor, store: MemoryContextStore | None = None, **conversations: object
    ) -> None:
        self.store = store or MemoryContextStore()
        self.conversations = Conversations(self.store, Pseudonymizer(KEY), **conversations)  # type: ignore[arg-type]
        self.advisor = Advisor(advisor.knowledge, matcher=advisor.matcher, conversations=self.conversations)

    def say(self, text: str, conversation: str = "c1", user: str = "U1") -> Answer:
        return self.advisor.handle(Query(text, channel="slack", conversation_id=conversation, user_id=user))


@pytest.fixture
def talk(advisor: Advisor) -> Talk:
    return Talk(advisor)


def followed(answer: Answer) -> str | None:
    return (answer.context or {}).get("follow_up")


@pytest.mark.parametrize(
    ("first", "then", "topic", "network"),
    [
        ("is it fine to hire people through linkedin?", "what about on facebook?", "recruitment", "facebook"),
        ("can I advertise our service on instagram", "and linkedin", "product-marketing", "linkedin"),
        ("מותר לפרסם משרות בפייסבוק?", "ומה לגבי לינקדאין?", "recruitment", "linkedin"),
        ("אפשר לשווק מוצר באינסטגרם?", "ובטיק טוק?", "product-marketing", "tiktok"),
        (
            "should i have one profile for work and one for private on instagram?",
            "same for linkdin?",
            "separate-accounts",
            "linkedin",
        ),
    ],
)
def test_a_new_network_re_answers_the_same_topic(
    talk: Talk, first: str, then: str, topic: str, network: str
) -> None:
    assert talk.say(first).topic == topic
    answer = talk.say(then)
    assert (answer.outcome.value, answer.topic, answer.entities.get("network")) == (
        "answered",
        topic,
        network,
    )
    assert answer.context == {"topic": topic, "entities": {}, "follow_up": "slot"}


def test_the_network_decides_the_verdict_of_a_group_again(talk: Talk) -> None:
    assert talk.say("my colleague added me to a facebook group for our industry").verdict == "caution"
    answer = talk.say("and if the group is on linked in?")
    assert (answer.topic, answer.verdict, answer.entities["network"]) == ("join-groups", "yes", "linkedin")


def test_an_approved_app_turns_the_install_verdict(talk: Talk) -> None:
    assert talk.say("is the tiktok app ok on the company laptop?").verdict == "no"
    answer = talk.say("how about hoot suite")
    assert (answer.topic, answer.verdict, answer.entities.get("app")) == ("install-apps", "yes", "hootsuite")
    assert "Hootsuite" in answer.text
    back = talk.say("and whatsapp then?")
    assert (back.verdict, back.entities.get("network"), back.entities.get("app")) == ("no", "whatsapp", None)


def test_why_instead_and_more_answer_about_the_previous_topic(talk: Talk, advisor: Advisor) -> None:
    topic = advisor.knowledge.topics["install-apps"]
    assert topic.why is not None and topic.instead is not None
    assert talk.say("can I add a facebook add-in to outlook on my work pc").topic == "install-apps"
    why = talk.say("how come??")
    assert (why.topic, followed(why), why.source) == ("install-apps", "why", topic.why.source)
    assert why.text == topic.why.en and "Rule 3" in (why.source_label or "")
    instead = talk.say("ok so what can I do instead")
    assert followed(instead) == "instead" and instead.text.startswith("Use the network in the browser")
    assert "{owner}" not in instead.text and "security@example.com" in instead.text
    more = talk.say("could you elaborate")
    assert followed(more) == "more" and more.text.startswith("More on Social-network apps")
    assert [s.id for s in more.suggestions] == topic.related[:3]


def test_why_in_hebrew_after_an_english_answer_is_told_in_hebrew(talk: Talk, advisor: Advisor) -> None:
    talk.say("should i keep my private and business profiles apart?")
    answer = talk.say("מדוע?")
    reason = advisor.knowledge.topics["separate-accounts"].why
    assert reason is not None
    assert (answer.lang, answer.topic, answer.text) == ("he", "separate-accounts", reason.he)


def test_a_checklist_for_that_is_the_previous_topics_checklist(talk: Talk) -> None:
    talk.say("we want to post a job ad on linkedin")
    answer = talk.say("do you have a checklist for it?")
    assert answer.steps is not None and answer.checklist is not None
    assert answer.checklist.id == "recruiting-post" and followed(answer) == "checklist"
    talk.say("אני רוצה להצטרף לקבוצה בפייסבוק")
    hebrew = talk.say("יש צ'קליסט לזה?")
    assert hebrew.checklist is not None and hebrew.checklist.id == "join-group" and hebrew.lang == "he"


def test_a_pronoun_takes_the_group_or_app_just_named(talk: Talk) -> None:
    talk.say("a supplier invited me to their whatsapp group")
    answer = talk.say("is it ok if I join it?")
    assert (answer.topic, answer.entities.get("network")) == ("join-groups", "whatsapp")
    assert answer.context == {
        "topic": "join-groups",
        "entities": {"network": "whatsapp", "network_kind": "personal"},
        "follow_up": "refers",
    }
    talk.say("מותר להתקין סיילס נביגייטור?", conversation="c2")
    hebrew = talk.say("ולסנכרן אותו עם אנשי הקשר באאוטלוק?", conversation="c2")
    assert (hebrew.topic, hebrew.entities.get("app")) == ("install-apps", "sales-navigator")


def test_a_complete_new_question_is_answered_on_its_own(talk: Talk) -> None:
    talk.say("can we recruit on facebook?")
    answer = talk.say("how do we do market research with social networks?")
    assert (answer.topic, answer.context, answer.entities) == ("market-research", None, {})
    own = talk.say("should I join a linkedin group?")
    assert (own.verdict, own.context) == ("yes", None)
    off = talk.say("what's a good recipe for lasagna?")
    assert off.outcome.value == "declined" and off.context is None


@pytest.mark.parametrize(
    "text",
    [
        "and on facebook?",
        "what about hootsuite",
        "why not?",
        "למה?",
        "ובפייסבוק?",
        "what can I do instead?",
        "tell me more",
        "ומה לגבי אינסטגרם",
    ],
)
def test_a_follow_up_with_nothing_before_it_is_asked_back(talk: Talk, text: str) -> None:
    answer = talk.say(text, conversation="fresh")
    assert answer.outcome.value == "clarify" and answer.topic is None and answer.context is None
    options = [o.id for o in answer.options]
    if answer.entities.get("app"):
        assert options[0] == "install-apps"
    elif answer.entities.get("network"):
        assert options[:2] == ["join-groups", "install-apps"]
    else:
        assert options == ["join-groups", "install-apps", "separate-accounts"]


@pytest.mark.parametrize(
    ("asked", "reply", "topic", "network"),
    [
        ("ומה לגבי טיקטוק?", "התכוונתי אם אפשר לפרסם שם משרות פנויות", "recruitment", "tiktok"),
        ("and on instagram?", "I meant marketing our new product there", "product-marketing", "instagram"),
        ("what about facebook", "joining a group of our customers", "join-groups", "facebook"),
    ],
)
def test_the_reply_to_an_ask_back_is_answered_for_what_it_named(
    talk: Talk, asked: str, reply: str, topic: str, network: str
) -> None:
    assert talk.say(asked).outcome.value == "clarify"
    answer = talk.say(reply)
    assert (answer.topic, answer.entities.get("network"), followed(answer)) == (topic, network, "refers")
    assert answer.context is not None and answer.context["entities"]["network"] == network
    # The topic answered is the context now: the next network is a slot change of it.
    after = talk.say("and on linkedin?")
    assert (after.topic, after.entities.get("network"), followed(after)) == (topic, "linkedin", "slot")


def test_a_reply_to_an_ask_back_keeps_only_what_its_topic_turns_on(talk: Talk) -> None:
    talk.say("and on instagram?")
    answer = talk.say("someone hacked our company account, what now?")
    assert (answer.topic, answer.entities, answer.context) == ("account-taken-over", {}, None)


def test_a_reply_naming_its_own_network_or_after_a_topic_is_not_settled_by_the_ask_back(talk: Talk) -> None:
    talk.say("and on instagram?")
    answer = talk.say("may I recruit on linkedin?")
    assert (answer.entities.get("network"), answer.context) == ("linkedin", None)
    talk.say("can I join a group on facebook?")
    assert talk.say("and on tiktok?").context == {"topic": "join-groups", "entities": {}, "follow_up": "slot"}


def test_an_option_picked_after_an_ask_back_is_answered_for_what_it_named(talk: Talk) -> None:
    talk.say("what about tiktok?")
    picked = talk.advisor.handle(
        Query("", channel="slack", topic="join-groups", conversation_id="c1", user_id="U1")
    )
    assert (picked.topic, picked.entities.get("network"), picked.verdict) == (
        "join-groups",
        "tiktok",
        "caution",
    )
    alone = talk.advisor.handle(
        Query("", channel="slack", topic="join-groups", conversation_id="c2", user_id="U1")
    )
    assert alone.entities == {}


def test_without_a_conversation_a_follow_up_is_asked_back_too(advisor: Advisor) -> None:
    answer = advisor.handle(Query("and what about facebook?", channel="cli"))
    assert answer.outcome.value == "clarify" and "About what?" in answer.text
    assert {o.id for o in answer.options} >= {"join-groups", "install-apps"}


def test_greetings_and_thanks_in_between_keep_the_context(talk: Talk) -> None:
    talk.say("may I recruit on instagram?")
    assert talk.say("thank you!!").topic == "thanks"
    assert talk.say("שלום").topic == "greeting"
    answer = talk.say("and tiktok?")
    assert (answer.topic, answer.entities.get("network")) == ("recruitment", "tiktok")


def test_conversations_do_not_share_context(talk: Talk) -> None:
    talk.say("can we recruit on linkedin?", conversation="a")
    assert talk.say("and on instagram?", conversation="b").outcome.value == "clarify"
    assert talk.say("and on instagram?", conversation="a").topic == "recruitment"


def test_a_context_past_its_time_to_live_is_not_used(advisor: Advisor) -> None:
    now = [datetime(2026, 11, 29, 12, 0, tzinfo=UTC)]
    talk = Talk(advisor, ttl_seconds=600, clock=lambda: now[0])
    talk.say("can we recruit on linkedin?")
    now[0] += timedelta(minutes=9)
    assert talk.say("and on instagram?").topic == "recruitment"
    now[0] += timedelta(minutes=11)
    assert talk.say("and on facebook?").outcome.value == "clarify"


def test_the_context_is_kept_under_pseudonyms_and_erased_with_the_person(talk: Talk) -> None:
    talk.say("can we recruit on linkedin?", conversation="C0001:1700000001.000200", user="U0002")
    [(key, context)] = talk.store._kept.items()
    pseudonyms = Pseudonymizer(KEY)
    assert "C0001" not in key and context.user == pseudonyms("user", "U0002")
    assert context == Context("recruitment", context.at, network="linkedin", lang="en", user=context.user)
    assert talk.store.forget(pseudonyms("user", "U0002") or "") == 1
    assert talk.say("and on instagram?", conversation="C0001:1700000001.000200").topic is None


class Broken(MemoryContextStore):
    def __init__(self, fail: Callable[[], None]) -> None:
        super().__init__()
        self.fail = fail

    def recall(self, conversation: str, since: datetime) -> Context | None:
        self.fail()
        return None

    def keep(self, conversation: str, context: Context) -> None:
        self.fail()


def test_a_store_that_fails_never_fails_an_answer(advisor: Advisor) -> None:
    def down() -> None:
        raise ConnectionError("database is down")

    talk = Talk(advisor, store=Broken(down))
    assert talk.say("can we recruit on linkedin?").topic == "recruitment"
    assert talk.say("and on instagram?").outcome.value == "clarify"


@pytest.mark.parametrize(
    ("first", "then", "kind"),
    [
        ("I want to install the whatsapp desktop app on my work computer", "why is that a problem?", "why"),
        (
            "I want to install the whatsapp desktop app on my work computer",
            "what's the safer option?",
            "instead",
        ),
        ("can I keep one profile for both work and private on linkedin?", "why would that matter?", "why"),
        (
            "can I keep one profile for both work and private on linkedin?",
            "what do you recommend instead?",
            "instead",
        ),
        ("may I recruit on instagram", "any tips for doing it safely?", "instead"),
        ("may I recruit on instagram", "what else?", "more"),
        (
            "should our sales people friend customers on their private facebook?",
            "ok what should they do then",
            "instead",
        ),
        ("האם לשתף את הפרטים העסקיים שלי עם כולם בפייסבוק?", "מה הסיבה?", "why"),
        ("מותר להתקין את וואטסאפ על מחשב העבודה?", "אז מה כן אפשר לעשות?", "instead"),
        ("מותר להתקין את וואטסאפ על מחשב העבודה?", "למה בעצם?", "why"),
        ("may I install the tiktok app on my work laptop?", "how so?", "why"),
        ("should I join a facebook group of our customers?", "what could go wrong?", "why"),
        ("מותר להתקין את וואטסאפ על מחשב העבודה?", "מה רע בזה?", "why"),
    ],
)
def test_why_instead_and_more_in_other_words(talk: Talk, first: str, then: str, kind: str) -> None:
    topic = talk.say(first).topic
    answer = talk.say(then)
    assert (answer.outcome.value, answer.topic, followed(answer)) == ("answered", topic, kind)


@pytest.mark.parametrize(
    "question",
    [
        "why should we use linkedin for recruiting?",
        "what are the alternatives to facebook for marketing our product?",
        "why is joining whatsapp groups with customers risky?",
        "any tips for hiring through social media?",
    ],
)
def test_a_question_with_a_cue_word_and_a_topic_of_its_own_is_matched(talk: Talk, question: str) -> None:
    talk.say("can I install the linkedin app on my work laptop?")
    answer = talk.say(question)
    assert answer.topic != "install-apps" and followed(answer) in (None, "refers")


@pytest.mark.parametrize(
    ("first", "then", "topic", "network"),
    [
        ("can we hire people through linkedin?", "is it different on instagram?", "recruitment", "instagram"),
        ("can we hire people through linkedin?", "what if it's on tiktok?", "recruitment", "tiktok"),
        ("can we hire people through linkedin?", "facebook too?", "recruitment", "facebook"),
        ("can we hire people through linkedin?", "adn on twiter?", "recruitment", "x"),
        ("כדאי להצטרף לקבוצה בלינקדאין?", "ובאינסטה זה אותו דבר?", "join-groups", "instagram"),
        ("כדאי להצטרף לקבוצה בלינקדאין?", "גם בפייסבוק?", "join-groups", "facebook"),
        (
            "someone invited me to a facebook group of our customers",
            "and if it was on linkedin instead?",
            "join-groups",
            "linkedin",
        ),
    ],
)
def test_a_new_network_in_other_words(talk: Talk, first: str, then: str, topic: str, network: str) -> None:
    talk.say(first)
    answer = talk.say(then)
    assert (answer.topic, answer.entities.get("network"), followed(answer)) == (topic, network, "slot")


def test_a_checklist_leaves_the_topic_it_was_asked_after_in_context(talk: Talk) -> None:
    talk.say("is it a good idea to post about our new product on linkedin")
    assert followed(talk.say("any checklist?")) == "checklist"
    answer = talk.say("and on instagram?")
    assert (answer.topic, answer.entities.get("network")) == ("product-marketing", "instagram")


@pytest.mark.parametrize(
    ("first", "checklist", "then"),
    [
        (
            "how should we market our new product on linkedin",
            "is there a checklist for a campaign?",
            "and on facebook?",
        ),
        ("רוצים לשווק את המוצר החדש בלינקדאין", "יש צ'קליסט לקמפיין?", "ובפייסבוק?"),
    ],
)
def test_a_named_checklist_leaves_the_topic_in_context(
    talk: Talk, first: str, checklist: str, then: str
) -> None:
    assert talk.say(first).topic == "product-marketing"
    handout = talk.say(checklist)
    assert handout.checklist is not None and handout.checklist.id == "campaign"
    answer = talk.say(then)
    assert (answer.topic, answer.entities.get("network")) == ("product-marketing", "facebook")


def test_a_checklist_with_nothing_before_it_sets_the_context(talk: Talk) -> None:
    assert talk.say("checklist for joining a group").checklist is not None
    answer = talk.say("and on whatsapp?")
    assert (answer.topic, answer.entities.get("network")) == ("join-groups", "whatsapp")


def test_an_it_that_points_at_nothing_takes_nothing_from_the_context(talk: Talk) -> None:
    talk.say("may I install Hootsuite?")
    reset = talk.say("is it a good idea to make a video go viral?")
    assert (reset.topic, reset.entities, reset.context) == ("viral-promo", {}, None)
    talk.say("may I install Hootsuite?", conversation="c2")
    pointing = talk.say("can I use it for our company page?", conversation="c2")
    assert pointing.entities.get("app") == "hootsuite" and followed(pointing) == "refers"


@pytest.mark.parametrize(
    ("first", "then", "topic", "kind"),
    [
        ("can we recruit on linkedin?", "linkedin as well?", "recruitment", "refers"),
        (
            "a partner added me to a whatsapp chat group with other vendors",
            "should i leave it?",
            "join-groups",
            "refers",
        ),
        ("should we get our promo video shared as widely as possible?", "why's that?", "viral-promo", "why"),
        (
            "can social networks help with our market research?",
            "give me more details",
            "market-research",
            "more",
        ),
    ],
)
def test_a_short_message_with_a_follow_ups_marks_follows(
    talk: Talk, first: str, then: str, topic: str, kind: str
) -> None:
    assert talk.say(first).topic == topic
    answer = talk.say(then)
    assert answer.topic == topic and followed(answer) in (kind, "slot")


def test_a_short_question_the_matcher_is_sure_of_is_its_own(talk: Talk) -> None:
    talk.say("can we recruit on linkedin?")
    answer = talk.say("should I join that group?")
    assert answer.topic == "join-groups"


@pytest.mark.parametrize(
    ("first", "topic", "then", "kind"),
    [
        (
            "should I keep my work and private facebook apart?",
            "separate-accounts",
            "why, it's the same me anyway",
            "why",
        ),
        (
            "should I keep my work and private facebook apart?",
            "separate-accounts",
            "how come? nobody reads my page",
            "why",
        ),
        (
            "may I install the tiktok app on my work laptop?",
            "install-apps",
            "what's the big deal, everyone has it",
            "why",
        ),
        (
            "מותר להתקין את האפליקציה של טיקטוק במחשב העבודה?",
            "install-apps",
            "למה, כולם מתקינים את זה",
            "why",
        ),
        ("מותר להתקין את האפליקציה של טיקטוק במחשב העבודה?", "install-apps", "ומה כבר יכול לקרות מזה", "why"),
        (
            "may I install the tiktok app on my work laptop?",
            "install-apps",
            "ok so what should we use for posting then",
            "instead",
        ),
        (
            "should I keep my work and private facebook apart?",
            "separate-accounts",
            "so how do i avoid mixing them from now on",
            "instead",
        ),
        (
            "מותר להתקין את האפליקציה של טיקטוק במחשב העבודה?",
            "install-apps",
            "אז מה עושים אם צריך לפרסם משם",
            "instead",
        ),
        (
            "should I keep my work and private facebook apart?",
            "separate-accounts",
            "ואיך עושים את זה נכון מעכשיו",
            "instead",
        ),
    ],
)
def test_a_message_that_opens_asking_why_or_what_instead_leans_on_the_topic(
    talk: Talk, first: str, topic: str, then: str, kind: str
) -> None:
    assert talk.say(first).topic == topic
    answer = talk.say(then)
    assert (answer.topic, followed(answer)) == (topic, kind), answer.candidates[:3]


@pytest.mark.parametrize(
    ("first", "then", "topic"),
    [
        (
            "should I join this facebook group?",
            "why should our business be on social networks at all?",
            "business-benefits",
        ),
        (
            "may I install the tiktok app on my work laptop?",
            "what should we check before recruiting on linkedin?",
            "recruitment",
        ),
        (
            "מותר להתקין את האפליקציה של טיקטוק במחשב העבודה?",
            "למה כדאי לעסק להיות ברשתות החברתיות בכלל?",
            "business-benefits",
        ),
    ],
)
def test_a_whole_question_that_opens_the_same_way_is_answered_on_its_own(
    talk: Talk, first: str, then: str, topic: str
) -> None:
    talk.say(first)
    answer = talk.say(then)
    assert (answer.topic, followed(answer)) == (topic, None), answer.candidates[:3]


@pytest.mark.parametrize(
    "pushback",
    [
        "but literally everyone on my team has it installed",
        "but it's faster than the browser",
        "אבל כולם עושים את זה אצלנו",
        "ובכל זאת, זה הרבה יותר נוח",
    ],
)
def test_pushback_is_answered_with_the_reasons(talk: Talk, pushback: str) -> None:
    talk.say("may I install the facebook app on my work laptop?")
    answer = talk.say(pushback)
    assert (answer.topic, followed(answer), answer.verdict) == ("install-apps", "why", "no")


def test_the_same_deal_on_another_network_is_a_slot_change(talk: Talk) -> None:
    talk.say("do I need a separate business account on linkedin to talk to vendors?")
    answer = talk.say("same deal on fb?")
    assert (answer.topic, answer.entities.get("network"), followed(answer)) == (
        "separate-accounts",
        "facebook",
        "slot",
    )


def test_a_message_pointing_back_that_would_be_declined_means_a_close_previous_topic(talk: Talk) -> None:
    talk.say("thinking of running a poll in a linkedin group to see if ppl would pay for our new feature")
    answer = talk.say("is that reliable enough to base a decision on")
    assert (answer.topic, followed(answer)) == ("market-research", "refers")
    advice = [c.topic for c in answer.candidates if c.topic not in ("off-topic", "help")]
    assert advice.index("market-research") > 0  # not the closest, but among the closest three
    assert talk.say("what's the weather like there tomorrow?").outcome.value == "declined"


def test_an_opening_in_a_later_clause_leans_only_by_its_own_words(talk: Talk) -> None:
    talk.say("can we recruit on linkedin?")
    answer = talk.say("we want this announcement to go viral, what should we do")
    assert answer.topic == "viral-promo" and followed(answer) != "instead"
    talk.say("can we recruit on linkedin?")
    assert followed(talk.say("why not everywhere, its free")) == "why"


def test_a_question_that_opens_with_but_and_is_about_another_topic_is_its_own(talk: Talk) -> None:
    talk.say("may I install the facebook app on my work laptop?")
    answer = talk.say("but can we recruit developers through linkedin posts?")
    assert (answer.topic, followed(answer)) == ("recruitment", None)


def test_a_hebrew_copula_after_a_noun_points_nowhere(talk: Talk) -> None:
    talk.say("can we recruit on linkedin?")
    # "social networks are a leap for businesses": "זה" joins the noun to what it is.
    answer = talk.say("למה רשתות חברתיות זה קפיצת מדרגה לעסקים")
    assert (answer.topic, followed(answer)) == ("friend-of-a-friend", None)
    assert followed(talk.say("למה זה מסוכן?")) == "why"


@pytest.mark.parametrize(
    ("then", "kind"),
    [
        ("y tho", "why"),
        ("whyyy", "why"),
        ("whats the big deal honestly", "why"),
        ("ok but what could actually happen?", "why"),
        ("is that really a problem?", "why"),
        ("ok so wat do u suggest", "instead"),
        ("so whats the right way to handle it", "instead"),
        ("any other details?", "more"),
        ("למהה", "why"),
        ("מה כל כך נורא בזה?", "why"),
        ("והדרך הנכונה היא?", "instead"),
        ("אפשר פירוט?", "more"),
    ],
)
def test_chat_forms_of_why_instead_and_more(talk: Talk, then: str, kind: str) -> None:
    talk.say("can I use my personal instagram to post about our products?")
    answer = talk.say(then)
    assert (answer.topic, followed(answer)) == ("separate-accounts", kind)


def test_a_short_turn_of_only_words_about_the_answer_follows_it(talk: Talk) -> None:
    talk.say("should i join a facebook group with customers?")
    answer = talk.say("is that really a good idea?")
    assert (answer.topic, answer.entities.get("network"), followed(answer)) == (
        "join-groups",
        "facebook",
        "refers",
    )


@pytest.mark.parametrize("ack", ["ok got it", "i see", "cool", "הבנתי, סבבה", "אחלה"])
def test_an_acknowledgement_is_thanked_and_keeps_the_context(talk: Talk, ack: str) -> None:
    talk.say("can we recruit on linkedin?")
    assert talk.say(ack).topic == "thanks"
    answer = talk.say("and on instagram?")
    assert (answer.topic, answer.entities.get("network")) == ("recruitment", "instagram")


def test_an_acknowledgement_inside_a_question_is_not_one(talk: Talk) -> None:
    talk.say("can we recruit on linkedin?")
    assert followed(talk.say("ok so why?")) == "why"
    assert talk.say("great, and on tiktok?").entities.get("network") == "tiktok"


def test_an_app_after_a_topic_without_apps_is_asked_back_on(talk: Talk) -> None:
    talk.say("should i join a facebook group?")
    answer = talk.say("is hootsuite allowed?")
    assert answer.outcome.value == "clarify" and answer.options[0].id == "install-apps"
    assert talk.say("and on linkedin?").topic == "join-groups"
    talk.say("may I install the tiktok app on my work laptop?", conversation="c2")
    app = talk.say("what about sales nav", conversation="c2")
    assert (app.topic, app.entities.get("app"), app.verdict) == ("install-apps", "sales-navigator", "yes")


@pytest.mark.parametrize(
    ("then", "network"),
    [
        ("i see, and what about twitter?", "x"),
        ("and on isnta?", "instagram"),
        ("ובאינסטגם?", "instagram"),
        ("ובווטס?", "whatsapp"),
        ("ובlinkedin?", "linkedin"),
    ],
)
def test_a_network_typed_loosely_or_among_other_words_is_a_slot_change(
    talk: Talk, then: str, network: str
) -> None:
    talk.say("we're hiring, can we post the job on facebook?")
    answer = talk.say(then)
    assert (answer.topic, answer.entities.get("network"), followed(answer)) == (
        "recruitment",
        network,
        "slot",
    )


def test_and_what_if_is_not_why(talk: Talk) -> None:
    talk.say("מותר להתקין את טיקטוק במחשב העבודה?")
    answer = talk.say("ומה אם זה סיילס נביגייטור")
    assert (answer.entities.get("app"), followed(answer)) == ("sales-navigator", "slot")


def test_a_bare_question_about_the_group_just_named_follows_it(talk: Talk) -> None:
    talk.say("a customer invited me to his whatsapp group")
    answer = talk.say("can i stay?")
    assert (answer.topic, answer.entities.get("network"), followed(answer)) == (
        "join-groups",
        "whatsapp",
        "refers",
    )
    assert talk.say("what's the weather like?").outcome.value == "declined"


@pytest.mark.parametrize("then", ["is there a list?", "any steps?", "יש רשימה?", "יש שלבים לזה?"])
def test_a_list_or_steps_with_nothing_else_is_the_previous_topics_checklist(talk: Talk, then: str) -> None:
    talk.say("should i join a facebook group with customers?")
    answer = talk.say(then)
    assert followed(answer) == "checklist" and answer.checklist is not None
    assert answer.checklist.id == "join-group"


@pytest.mark.parametrize(
    ("then", "kind"),
    [("what are the dangers?", "why"), ("can you be more specific", "more"), ("tell me everything", "more")],
)
def test_other_forms_of_the_words_of_a_cue_vote_for_it(talk: Talk, then: str, kind: str) -> None:
    talk.say("a customer invited me to his whatsapp group")
    answer = talk.say(then)
    assert (answer.topic, followed(answer)) == ("join-groups", kind)


@pytest.mark.parametrize(
    ("then", "kind", "network"),
    [
        ("hi again, why?", "why", "linkedin"),
        ("good morning, and on facebook?", "slot", "facebook"),
        ("שלום, ומה עם טיקטוק?", "slot", "tiktok"),
    ],
)
def test_a_greeting_around_a_follow_up_changes_nothing(
    talk: Talk, then: str, kind: str, network: str
) -> None:
    talk.say("can we recruit on linkedin?")
    answer = talk.say(then)
    assert (answer.topic, followed(answer), answer.entities.get("network")) == ("recruitment", kind, network)


def test_a_question_for_the_advisor_itself_is_not_a_follow_up(talk: Talk) -> None:
    talk.say("can we recruit on linkedin?")
    assert talk.say("can i ask something else?").topic == "help"
    assert talk.say("what can you do?").topic == "help"


@pytest.mark.parametrize(
    ("first", "then", "topic", "network"),
    [
        (
            "is there a linkedin group for devops people I should join?",
            "and a facebook group for the same crowd?",
            "join-groups",
            "facebook",
        ),
        (
            "אפשר להתקין את האפליקציה של פייסבוק במחשב העבודה?",
            "ותוסף של טיקטוק לכרום?",
            "install-apps",
            "tiktok",
        ),
    ],
)
def test_a_question_on_the_same_topic_naming_another_network_is_a_slot_change(
    talk: Talk, first: str, then: str, topic: str, network: str
) -> None:
    talk.say(first)
    answer = talk.say(then)
    assert (answer.topic, answer.entities.get("network"), followed(answer)) == (topic, network, "slot")
    assert answer.context is not None and answer.context["entities"] == {}


def test_the_opening_says_the_intent_before_the_words_after_it(talk: Talk) -> None:
    talk.say("someone hacked my linkedin account and messages clients")
    answer = talk.say("how do I make sure that doesn't happen again?")
    assert (answer.topic, followed(answer)) == ("account-taken-over", "instead")


@pytest.mark.parametrize(
    ("first", "then", "topic", "kind"),
    [
        # An opening that points back leans on the topic even when its words fit another.
        (
            "I posted our price list in a public linkedin group by mistake",
            "how come it spread so fast?",
            "business-info-posted",
            "why",
        ),
        # Pushback in a later clause.
        (
            "should I keep separate accounts for work and private on linkedin?",
            "ugh thats a lot of work, cant i just be careful what i post",
            "separate-accounts",
            "why",
        ),
        # A whole follow-up before an argument whose words fit product marketing.
        (
            "social is basically free, so can we give lots of discounts to get followers?",
            "why not tho, more followers = more sales",
            "cost-benefit",
            "why",
        ),
    ],
)
def test_a_turn_leans_on_the_topic_where_the_matcher_would_answer_another(
    talk: Talk, first: str, then: str, topic: str, kind: str
) -> None:
    talk.say(first)
    answer = talk.say(then)
    assert (answer.topic, followed(answer)) == (topic, kind), answer.candidates[:3]
    assert answer.candidates[0].topic != topic


@pytest.mark.parametrize(
    "text", ["is sales nav ok on my work laptop?", "אפשר להתקין סיילס נאביגייטור במחשב העבודה?"]
)
def test_approved_apps_by_their_short_names(talk: Talk, text: str) -> None:
    answer = talk.say(text)
    assert (answer.topic, answer.entities.get("app"), answer.verdict) == (
        "install-apps",
        "sales-navigator",
        "yes",
    )


@pytest.mark.parametrize(
    ("first", "then", "checklist"),
    [
        (
            "we need to hire two developers, should we post the job on linkedin?",
            "got a checklist for the post?",
            "recruiting-post",
        ),
        ("how should we market our new product on instagram?", "יש רשימת בדיקה לקמפיין?", "campaign"),
        (
            "should I join a facebook group of product managers?",
            "תן לי רשימה של מה לבדוק לפני שאני מצטרף",
            "join-group",
        ),
    ],
)
def test_a_checklist_asked_for_in_words_is_the_one_named_else_the_topics(
    talk: Talk, first: str, then: str, checklist: str
) -> None:
    talk.say(first)
    answer = talk.say(then)
    assert answer.checklist is not None and answer.checklist.id == checklist and answer.steps is not None


def test_a_clause_may_open_the_question(talk: Talk) -> None:
    talk.say("I posted our pricing sheet in a public linkedin group by mistake")
    answer = talk.say("it was only up for ten minutes and nobody saw it, why is that such a big deal")
    assert (answer.topic, followed(answer)) == ("business-info-posted", "why"), answer.candidates[:3]


def test_pointing_back_at_a_topic_the_matcher_is_unsure_of_means_the_previous_one(advisor: Advisor) -> None:
    assert advisor.cues is not None
    followups = advisor.followups
    context = Context("account-taken-over", datetime.now(UTC), network="facebook")
    reading = advisor.cues.read("and what about the customers who already got messages from it")
    assert reading.deixis
    for score, topic in ((0.39, "account-taken-over"), (0.9, "market-research")):
        best = Candidate("market-research", score)
        decision = Decision(Outcome.ANSWERED, best)
        follow = followups.after_matching(decision, [best], reading, context)
        assert follow is not None and (follow.topic, follow.kind) == (topic, "refers")
        assert follow.entities.network == "facebook"
