"""Teaching the advisor from a ticket: add a question as an example of a topic, or publish the
owner's answer as an entry of its own. Everything is checked first; what is refused is said
in English and Hebrew, and nothing is stored."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ..answer import Verdict
from ..knowledge.knowledge import Knowledge
from ..knowledge.localized import LANGS
from ..text import detect_lang, has_words
from .merge import with_learned
from .records import Entry, Example, Learned, LearnedStore, example_key

__all__ = ["MAX_ANSWER", "MAX_QUESTION", "MAX_VARIANTS", "REFUSALS", "Lesson", "Teacher", "entry_id"]

MAX_QUESTION = 500
MAX_ANSWER = 4000
MAX_VARIANTS = 20
MAX_BY = 200
TOPIC_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

REFUSALS: dict[str, tuple[str, str]] = {
    "unknown-topic": ("there is no topic {detail}", "אין נושא {detail}"),
    "not-advice": ("{detail} is not an advice topic", "{detail} אינו נושא של עצה"),
    "empty": ("a question needs some words", "שאלה צריכה מילים"),
    "too-long": ("{detail} is too long", "{detail} ארוך מדי"),
    "no-variants": ("an entry needs at least one question", "רשומה צריכה לפחות שאלה אחת"),
    "too-many": (f"at most {MAX_VARIANTS} questions a language", f"לכל היותר {MAX_VARIANTS} שאלות בכל שפה"),
    "no-answer": ("an entry needs an answer in English or Hebrew", "רשומה צריכה תשובה באנגלית או בעברית"),
    "verdict": ("the verdict is one of yes, no, caution, info", "ההכרעה היא אחת מ-yes, no, caution, info"),
    "bad-id": (
        "a topic id is lower-case words joined by hyphens, up to 100 characters",
        "מזהה נושא הוא מילים באותיות קטנות המחוברות במקפים, עד 100 תווים",
    ),
    "no-id": ("name the entry's topic id", "תנו לרשומה מזהה נושא"),
    "taken": ("the topic id {detail} is taken", "מזהה הנושא {detail} תפוס"),
    "other-topic": ("that question is an example of {detail} already", "השאלה הזאת כבר דוגמה של {detail}"),
    "no-by": ("say who teaches it", "ציינו מי מלמד"),
}


def entry_id(ticket: int) -> str:
    """The topic id an entry published from a ticket gets unless it is given one."""
    return f"owner-{ticket}"


@dataclass(frozen=True)
class Lesson:
    """What teaching did: the stored (or already stored) item and whether it is new, or the
    reason it was refused."""

    item: Example | Entry | None
    changed: bool = False
    refused: str | None = None
    detail: str = ""

    def message(self, lang: str = "en") -> str:
        if self.refused is None:
            return ""
        en, he = REFUSALS[self.refused]
        return (he if lang == "he" else en).format(detail=self.detail)


def _refuse(code: str, detail: str = "") -> Lesson:
    return Lesson(None, refused=code, detail=detail)


def _question(text: str, what: str) -> str | Lesson:
    text = " ".join(text.split())
    if len(text) > MAX_QUESTION:
        return _refuse("too-long", what)
    return text if has_words(text) else _refuse("empty")


class Teacher:
    """Checks and stores what the owner teaches; ``base`` is the shipped knowledge base."""

    def __init__(
        self, store: LearnedStore, base: Knowledge, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.store = store
        self.base = base
        self.clock = clock

    def current(self) -> Knowledge:
        """The knowledge base as served once everything stored is learned."""
        return with_learned(self.base, self.learned())

    def learned(self) -> Learned:
        return self.store.learned()

    def add_example(
        self, topic: str, text: str, by: str, *, lang: str | None = None, ticket: int | None = None
    ) -> Lesson:
        """``text`` as one more way to ask ``topic`` (an advice topic, shipped or learned)."""
        if not by.strip() or len(by) > MAX_BY:
            return _refuse("no-by")
        question = _question(text, "the question")
        if isinstance(question, Lesson):
            return question
        knowledge = self.current()
        if topic not in knowledge.topics:
            return _refuse("unknown-topic", topic[:100])
        if knowledge.topics[topic].kind != "advice":
            return _refuse("not-advice", topic)
        other = _owner_of(knowledge, question)
        if other is not None and other != topic:
            return _refuse("other-topic", other)
        example = Example(
            topic, question, lang if lang in LANGS else detect_lang(question), by, self.clock(), ticket
        )
        if other == topic:
            key = example_key(topic, question)
            known = [e for e in self.learned().examples if example_key(e.topic, e.text) == key]
            return Lesson(known[0] if known else example)
        stored, made = self.store.add_example(example)
        return Lesson(stored, changed=made)

    def publish(
        self,
        topic: str | None,
        variants: Mapping[str, Sequence[str]],
        answer: Mapping[str, str | None],
        verdict: str,
        by: str,
        *,
        ticket: int | None = None,
    ) -> Lesson:
        """A new advice topic citing the policy owner: its questions and answer per language."""
        if not by.strip() or len(by) > MAX_BY:
            return _refuse("no-by")
        topic = topic or (entry_id(ticket) if ticket is not None else None)
        if topic is None:
            return _refuse("no-id")
        if len(topic) > 100 or not TOPIC_ID.match(topic):
            return _refuse("bad-id")
        if verdict not in {v.value for v in Verdict}:
            return _refuse("verdict")
        checked = self._variants(variants)
        if isinstance(checked, Lesson):
            return checked
        texts = {lang: " ".join(t.split()) for lang, t in answer.items() if lang in LANGS and t and t.strip()}
        if not texts:
            return _refuse("no-answer")
        if any(len(t) > MAX_ANSWER for t in texts.values()):
            return _refuse("too-long", "the answer")
        entry = Entry(topic, checked, texts, verdict, by, self.clock(), ticket)
        return self._store(entry)

    def _variants(self, variants: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]] | Lesson:
        checked: dict[str, tuple[str, ...]] = {}
        for lang in LANGS:
            texts: list[str] = []
            for text in variants.get(lang, ()):
                question = _question(text, "a question")
                if isinstance(question, Lesson):
                    return question
                if question.casefold() not in {t.casefold() for t in texts}:
                    texts.append(question)
            if len(texts) > MAX_VARIANTS:
                return _refuse("too-many")
            checked[lang] = tuple(texts)
        if not any(checked.values()):
            return _refuse("no-variants")
        return checked

    def _store(self, entry: Entry) -> Lesson:
        knowledge = self.current()
        stored = next((e for e in self.learned().entries if e.topic == entry.topic), None)
        if entry.topic in knowledge.topics and stored is None:
            return _refuse("taken", entry.topic)
        for texts in entry.variants.values():
            for text in texts:
                other = _owner_of(knowledge, text)
                if other is not None and other != entry.topic:
                    return _refuse("other-topic", other)
        stored, made = self.store.publish(entry)
        if not made and stored.document() != entry.document():
            return _refuse("taken", entry.topic)
        return Lesson(stored, changed=made)


def _owner_of(knowledge: Knowledge, text: str) -> str | None:
    wanted = text.casefold()
    for topic in knowledge.topics.values():
        if any(e.casefold() == wanted for e in topic.examples.all()):
            return topic.id
    return None
