"""What is learned, and the ``LearnedStore`` port with its in-memory twin."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

__all__ = ["Entry", "Example", "Learned", "LearnedStore", "MemoryLearnedStore", "Withdrawal"]


@dataclass(frozen=True)
class Withdrawal:
    """Who took a learned example or entry back, and when: it stays for the audit and is no
    longer served or exported."""

    by: str
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"by": self.by, "at": self.at.isoformat()}


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
    withdrawn: Withdrawal | None = None

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
            "withdrawn": self.withdrawn.to_dict() if self.withdrawn else None,
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
    withdrawn: Withdrawal | None = None

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
        audit = {
            "by": self.by,
            "at": self.at.isoformat(),
            "ticket": self.ticket,
            "withdrawn": self.withdrawn.to_dict() if self.withdrawn else None,
        }
        return {"id": self.id, "kind": "entry", "topic": self.topic, **self.document(), **audit}


@dataclass(frozen=True)
class Learned:
    """Everything learned, oldest first."""

    examples: tuple[Example, ...] = ()
    entries: tuple[Entry, ...] = ()

    def items(self) -> list[Example | Entry]:
        """Examples and entries together, oldest first."""
        return sorted([*self.examples, *self.entries], key=lambda item: item.id)


class LearnedStore(Protocol):
    """Where learned examples and entries are kept. Adding what is there already (the same
    text for the same topic, an entry under a topic id taken) stores nothing and returns the
    stored one with False. Examples and entries share one series of ids.

    ``withdraw`` takes an example or entry back by its id: it is kept, with who withdrew it and
    when, but ``learned`` leaves it out unless asked for the withdrawn too, and the same can be
    taught again. It returns the item with True, with False when it was withdrawn already, or
    None when there is no such id. ``stamp`` changes whenever anything is added or withdrawn:
    cheap to ask often."""

    def add_example(self, example: Example) -> tuple[Example, bool]: ...

    def publish(self, entry: Entry) -> tuple[Entry, bool]: ...

    def withdraw(self, item_id: int, by: str, at: datetime) -> tuple[Example | Entry, bool] | None: ...

    def learned(self, *, with_withdrawn: bool = False) -> Learned: ...

    def stamp(self) -> int: ...


def example_key(topic: str, text: str) -> str:
    """What makes two examples the same: the topic and the text, case and spacing aside."""
    return f"{topic}\n{' '.join(text.casefold().split())}"


@dataclass
class MemoryLearnedStore:
    _examples: dict[str, Example] = field(default_factory=dict)
    _entries: dict[str, Entry] = field(default_factory=dict)
    _withdrawn: dict[int, Example | Entry] = field(default_factory=dict)
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

    def withdraw(self, item_id: int, by: str, at: datetime) -> tuple[Example | Entry, bool] | None:
        with self._lock:
            if item_id in self._withdrawn:
                return self._withdrawn[item_id], False
            kinds: tuple[dict[str, Example] | dict[str, Entry], ...] = (self._examples, self._entries)
            for served in kinds:
                key = next((k for k, item in served.items() if item.id == item_id), None)
                if key is not None:
                    self._withdrawn[item_id] = replace(served.pop(key), withdrawn=Withdrawal(by, at))
                    return self._withdrawn[item_id], True
            return None

    def learned(self, *, with_withdrawn: bool = False) -> Learned:
        with self._lock:
            withdrawn = list(self._withdrawn.values()) if with_withdrawn else []
            examples = [*self._examples.values(), *(e for e in withdrawn if isinstance(e, Example))]
            entries = [*self._entries.values(), *(e for e in withdrawn if isinstance(e, Entry))]
        return Learned(
            tuple(sorted(examples, key=lambda e: e.id)), tuple(sorted(entries, key=lambda e: e.id))
        )

    def stamp(self) -> int:
        """The last id given plus the count withdrawn: both only grow."""
        with self._lock:
            return self._last + len(self._withdrawn)
