"""Teaching the advisor from a ticket: add a question as an example of a topic, or publish the
owner's answer as an entry of its own; and withdrawing either. Everything is checked first;
what is refused is said in the owner's language, English or Hebrew (``teach`` in
``knowledge/phrases.yaml``), and nothing is stored."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ..answer import Verdict
from ..knowledge.knowledge import Knowledge
from ..knowledge.localized import LANGS
from ..text import detect_lang, has_words
from ..tickets.records import Ticket
from .merge import with_learned
from .records import Entry, Example, Learned, LearnedStore, example_key

__all__ = ["MAX_ANSWER", "MAX_QUESTION", "MAX_VARIANTS", "Lesson", "Teacher", "choices", "entry_id"]

MAX_QUESTION = 500
MAX_ANSWER = 4000
MAX_VARIANTS = 20
MAX_BY = 200
MAX_ID = 2**31
"""Ids are below it (the database's integer column)."""
TOPIC_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def choices(ticket: Ticket) -> list[tuple[str, str]]:
    """What an answer form offers under "Into knowledge" for ``ticket``: values and labels."""
    offered = [("publish-" + v.value, f"Publish the answer ({v.value})") for v in Verdict]
    if ticket.topic:
        offered.insert(0, ("example", f"Add the question to {ticket.topic}"))
    return offered


def entry_id(ticket: int) -> str:
    """The topic id an entry published from a ticket gets unless it is given one."""
    return f"owner-{ticket}"


@dataclass(frozen=True)
class Lesson:
    """What teaching (or withdrawing) did: the stored (or already stored) item and whether it
    changed, or the reason it was refused (``refused``, a code the web API passes on), with
    the item it was refused about when there is one. ``phrase`` names the sentence that says
    why, ``detail`` what it names (a topic id, a limit, an id)."""

    item: Example | Entry | None
    changed: bool = False
    refused: str | None = None
    detail: str = ""
    phrase: str = ""


def _refuse(code: str, detail: object = "", phrase: str | None = None) -> Lesson:
    return Lesson(None, refused=code, detail=str(detail), phrase=phrase or code.replace("-", "_"))


def _question(text: str, phrase: str) -> str | Lesson:
    text = " ".join(text.split())
    if len(text) > MAX_QUESTION:
        return _refuse("too-long", MAX_QUESTION, phrase)
    return text if has_words(text) else _refuse("empty")


class Teacher:
    """Checks and stores what the owner teaches; ``base`` is the shipped knowledge base."""

    def __init__(
        self, store: LearnedStore, base: Knowledge, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.store = store
        self.base = base
        self.clock = clock

    def message(self, lesson: Lesson, lang: str = "en") -> str:
        """Why ``lesson`` was refused, in ``lang``; empty when it was not."""
        if lesson.refused is None:
            return ""
        return self.base.phrases.teach.say(lesson.phrase, lang, detail=lesson.detail)

    def not_learned(self, lesson: Lesson, ticket: int, lang: str = "en") -> str:
        """Why ``lesson``, taught from ``ticket`` once it was answered, was refused, in ``lang``."""
        reason = self.message(lesson, lang)
        return self.base.phrases.teach.say("not_learned", lang, number=ticket, reason=reason)

    def current(self) -> Knowledge:
        """The knowledge base as served once everything stored is learned."""
        return with_learned(self.base, self.learned())

    def learned(self, *, with_withdrawn: bool = False) -> Learned:
        """What is served; with ``with_withdrawn``, what was withdrawn too (for the audit)."""
        return self.store.learned(with_withdrawn=with_withdrawn)

    def add_example(
        self, topic: str, text: str, by: str, *, lang: str | None = None, ticket: int | None = None
    ) -> Lesson:
        """``text`` as one more way to ask ``topic`` (an advice topic, shipped or learned)."""
        if not by.strip() or len(by) > MAX_BY:
            return _refuse("no-by")
        question = _question(text, "question_too_long")
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
            return _refuse("too-long", MAX_ANSWER, "answer_too_long")
        entry = Entry(topic, checked, texts, verdict, by, self.clock(), ticket)
        return self._store(entry)

    def from_ticket(self, ticket: Ticket, choice: str, by: str) -> Lesson | None:
        """The owner's choice under "Into knowledge" once the ticket is answered (one of
        :func:`choices`): the question as an example of the ticket's topic, or the answer
        published with a verdict; None for no such choice."""
        if choice == "example" and ticket.topic:
            return self.add_example(ticket.topic, ticket.question, by, lang=ticket.lang, ticket=ticket.number)
        if choice.startswith("publish-") and ticket.answer:
            questions = {ticket.lang: [ticket.question]}
            answer: dict[str, str | None] = {ticket.answer_lang or ticket.lang: ticket.answer}
            verdict = choice.removeprefix("publish-")
            return self.publish(None, questions, answer, verdict, by, ticket=ticket.number)
        return None

    def withdraw(self, item_id: int, by: str) -> Lesson:
        """Take a learned example or entry back: it stays in the audit, with who and when, and
        is served by no replica once they refresh. Refused when there is no such id, or it was
        withdrawn already (the item says by whom and when)."""
        if not by.strip() or len(by) > MAX_BY:
            return _refuse("no-by")
        outcome = self.store.withdraw(item_id, by.strip(), self.clock()) if 0 < item_id < MAX_ID else None
        if outcome is None:
            return _refuse("unknown-item", item_id)
        item, made = outcome
        if not made and item.withdrawn is not None:
            earlier = f"{item.withdrawn.by}, {item.withdrawn.at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
            return Lesson(item, refused="withdrawn", detail=earlier, phrase="withdrawn")
        return Lesson(item, changed=made)

    def _variants(self, variants: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]] | Lesson:
        checked: dict[str, tuple[str, ...]] = {}
        for lang in LANGS:
            texts: list[str] = []
            for text in variants.get(lang, ()):
                question = _question(text, "variant_too_long")
                if isinstance(question, Lesson):
                    return question
                if question.casefold() not in {t.casefold() for t in texts}:
                    texts.append(question)
            if len(texts) > MAX_VARIANTS:
                return _refuse("too-many", MAX_VARIANTS)
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
