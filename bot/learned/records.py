"""What is learned, and the ``LearnedStore`` port with its in-memory twin."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

__all__ = ["Entry", "Example", "Learned", "LearnedStore", "MemoryLearnedStore"]


@dataclass(frozen=True)
class Example:
    """A question added as an example of an existing topic; ``id`` is 0 until stored."""

    topic: str
    text: str
    lang: str
    by: str
    at: datetime
    ticket: int | None = None
    id: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": "example",
            "topic": self.topic,
            "text": self.text,
            "lang": self.lang,
            "by": self.by,
            "at": self.at.isoformat(),
            "ticket": self.ticket,
        }


@dataclass(frozen=True)
class Entry:
    """The policy owner's published answer, served as a topic of its own. ``answer`` and
    ``variants`` map a language to its text and its questions; at least one language."""

    topic: str
    variants: dict[str, tuple[str, ...]]
    answer: dict[str, str]
    verdict: str
    by: str
    at: datetime
    ticket: int | None = None
    id: int = 0

    def document(self) -> dict[str, Any]:
        """What is stored of it beside its topic id, audit and ticket."""
        return {
            "variants": {lang: list(texts) for lang, texts in self.variants.items()},
            "answer": dict(self.answer),
            "verdict": self.verdict,
        }

    @classmethod
    def from_document(cls, doc: dict[str, Any], **fields: Any) -> Entry:
        variants = {lang: tuple(texts) for lang, texts in doc["variants"].items()}
        return cls(variants=variants, answer=dict(doc["answer"]), verdict=doc["verdict"], **fields)

    def to_dict(self) -> dict[str, Any]:
        audit = {"by": self.by, "at": self.at.isoformat(), "ticket": self.ticket}
        return {"id": self.id, "kind": "entry", "topic": self.topic, **self.document(), **audit}


@dataclass(frozen=True)
class Learned:
    """Everything learned, oldest first."""

    examples: tuple[Example, ...] = ()
    entries: tuple[Entry, ...] = ()


class LearnedStore(Protocol):
    """Where learned examples and entries are kept. Adding what is there already (the same
    text for the same topic, an entry under a topic id taken) stores nothing and returns the
    stored one with False. ``stamp`` changes whenever anything is added: cheap to ask often."""

    def add_example(self, example: Example) -> tuple[Example, bool]: ...

    def publish(self, entry: Entry) -> tuple[Entry, bool]: ...

    def learned(self) -> Learned: ...

    def stamp(self) -> int: ...


def example_key(topic: str, text: str) -> str:
    """What makes two examples the same: the topic and the text, case and spacing aside."""
    return f"{topic}\n{' '.join(text.casefold().split())}"


@dataclass
class MemoryLearnedStore:
    _examples: dict[str, Example] = field(default_factory=dict)
    _entries: dict[str, Entry] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _last: int = 0

    def add_example(self, example: Example) -> tuple[Example, bool]:
        key = example_key(example.topic, example.text)
        with self._lock:
            if key in self._examples:
                return self._examples[key], False
            self._last += 1
            self._examples[key] = replace(example, id=self._last)
            return self._examples[key], True

    def publish(self, entry: Entry) -> tuple[Entry, bool]:
        with self._lock:
            if entry.topic in self._entries:
                return self._entries[entry.topic], False
            self._last += 1
            self._entries[entry.topic] = replace(entry, id=self._last)
            return self._entries[entry.topic], True

    def learned(self) -> Learned:
        with self._lock:
            return Learned(tuple(self._examples.values()), tuple(self._entries.values()))

    def stamp(self) -> int:
        with self._lock:
            return self._last
