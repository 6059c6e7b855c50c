"""Properties of follow-ups over many wordings: a new network survives Hebrew prefixes, chat
forms and typos of its name; a follow-up's cue survives chat noise; a follow-up with nothing
before it is never answered; a question answered on its own is answered the same after any
context."""

from __future__ import annotations

import itertools
import json

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot import Advisor, Answer, Outcome, Query
from bot.conversation.context import Conversations
from bot.conversation.store import MemoryContextStore
from bot.querylog.pseudonyms import Pseudonymizer
from bot.text import is_hebrew, normalize
from tests.conftest import DATA

from .test_followups import KEY

SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
_ids = itertools.count()

CONTEXTS = {
    "recruitment": ("can we recruit on linkedin?", "אפשר לגייס עובדים דרך לינקדאין?"),
    "join-groups": ("should I join a linkedin group of our industry?", "כדאי להצטרף לקבוצה בלינקדאין?"),
    "product-marketing": ("can we market our product on linkedin?", "אפשר לשווק מוצר בלינקדאין?"),
}
SLOT_FORMS = {
    "en": ["and on {}?", "what about {}", "{}?", "ok and {}", "n {}??", "how about on {} then"],
    "he": ["וב{}?", "ומה עם {}?", "{}?", "ומה לגבי ה{}", "גם ב{}?", "ואם זה ב{}?"],
}
CUES = {
    "why": ["why", "why not", "how come", "whats the reason", "למה", "מה הסיבה", "מדוע", "למה לא"],
    "instead": ["what should i do instead", "whats the alternative", "what do you suggest", "מה עושים במקום"],
    "more": ["tell me more", "more details", "elaborate", "ספר לי עוד", "תרחיב", "עוד פרטים"],
}
NOISE_BEFORE = ["", "ok ", "so ", "hmm ", "and ", "אז ", "אוקיי ", "ו"]
NOISE_AFTER = ["", "?", "??", " pls", " please", "!", " בבקשה", "?!"]


class Talk:
    def __init__(self, advisor: Advisor) -> None:
        conversations = Conversations(MemoryContextStore(), Pseudonymizer(KEY))
        self.advisor = Advisor(advisor.knowledge, matcher=advisor.matcher, conversations=conversations)
        self.id = f"p{next(_ids)}"

    def say(self, text: str) -> Answer:
        return self.advisor.handle(Query(text, channel="slack", conversation_id=self.id))


def _typo(name: str, position: int, kind: int) -> str:
    """``name`` with one typo after its first letter: a letter dropped, doubled or swapped."""
    i = 1 + position % (len(name) - 1)
    if kind == 0:
        return name[:i] + name[i + 1 :]
    if kind == 1:
        return name[:i] + name[i] + name[i:]
    j = min(i, len(name) - 2)
    return name[:j] + name[j + 1] + name[j] + name[j + 2 :]


@st.composite
def network_names(draw: st.DrawFn, advisor: Advisor) -> tuple[str, str]:
    """A network of the policy and a way to write it: an alias, maybe with a typo."""
    network = draw(st.sampled_from([n for n in advisor.knowledge.policy.networks if n.id != "linkedin"]))
    alias = draw(st.sampled_from(sorted({normalize(a) for a in network.aliases.all()})))
    if len(alias) >= 5 and " " not in alias and draw(st.booleans()):
        alias = _typo(alias, draw(st.integers(0, 20)), draw(st.integers(0, 2)))
    return network.id, alias


@SETTINGS
@given(data=st.data(), topic=st.sampled_from(sorted(CONTEXTS)))
def test_a_new_network_survives_prefixes_and_typos_of_its_name(
    advisor: Advisor, data: st.DataObject, topic: str
) -> None:
    network, written = data.draw(network_names(advisor))
    lang = "he" if is_hebrew(written) else "en"
    form = data.draw(st.sampled_from(SLOT_FORMS[lang]))
    talk = Talk(advisor)
    talk.say(data.draw(st.sampled_from(CONTEXTS[topic])))
    answer = talk.say(form.format(written))
    assert (answer.topic, answer.entities.get("network")) == (topic, network), form.format(written)


@SETTINGS
@given(
    kind=st.sampled_from(sorted(CUES)),
    data=st.data(),
    before=st.sampled_from(NOISE_BEFORE),
    after=st.sampled_from(NOISE_AFTER),
)
def test_a_cue_survives_chat_noise_and_is_asked_back_on_with_nothing_before_it(
    advisor: Advisor, kind: str, data: st.DataObject, before: str, after: str
) -> None:
    cue = data.draw(st.sampled_from(CUES[kind]))
    if before == "ו" and not is_hebrew(cue):
        before = "and "
    text = f"{before}{cue}{after}"
    alone = Talk(advisor).say(text)
    assert alone.outcome.value == "clarify" and alone.topic is None, text
    talk = Talk(advisor)
    talk.say("may I install the facebook app on my work laptop?")
    answer = talk.say(text)
    follow_up = (answer.context or {}).get("follow_up")
    assert (answer.topic, follow_up) == ("install-apps", kind), text


def _complete_questions() -> list[str]:
    rows = [json.loads(line) for line in (DATA / "devset.jsonl").read_text(encoding="utf-8").splitlines()]
    return [r["q"] for r in rows if r.get("topic")]


QUESTIONS = _complete_questions()
OPENERS = [
    "can we recruit on linkedin?",
    "מותר להתקין את האפליקציה של פייסבוק במחשב העבודה?",
    "should i join a whatsapp group with customers?",
    "may I install hootsuite?",
]


@SETTINGS
@given(question=st.sampled_from(QUESTIONS), opener=st.sampled_from(OPENERS))
def test_a_complete_question_after_any_context_is_answered_as_it_is_alone(
    advisor: Advisor, question: str, opener: str
) -> None:
    alone = Talk(advisor).say(question)
    assume(alone.outcome is Outcome.ANSWERED)  # an ask-back alone may be settled by the context
    talk = Talk(advisor)
    talk.say(opener)
    answer = talk.say(question)
    assert (answer.outcome, answer.topic) == (alone.outcome, alone.topic), question
    named = alone.entities.get("network")
    if named:
        assert answer.entities.get("network") == named
