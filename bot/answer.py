"""The neutral answer the core returns; adapters render it for their platform."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from .knowledge.checklists import ChecklistView, ItemView

__all__ = ["Answer", "Candidate", "Option", "Outcome", "Verdict"]


class Outcome(StrEnum):
    ANSWERED = "answered"
    CLARIFY = "clarify"
    DECLINED = "declined"


class Verdict(StrEnum):
    YES = "yes"
    NO = "no"
    CAUTION = "caution"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A ranked topic with its score and the terms that matched it."""

    topic: str
    score: float
    terms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Option:
    """Something the person can pick next: a topic or a checklist, with its title."""

    id: str
    title: str
    kind: Literal["topic", "checklist"] = "topic"


@dataclass(frozen=True, slots=True)
class Answer:
    """What the advisor says, in the question's language, before any platform markup.

    ``text`` is the body; ``verdict_label`` and ``source_label`` are the localized marker and
    citation, so an adapter never needs the knowledge base to render an answer. ``checklist``
    is the checklist the answer offers; ``steps`` the checklist itself when one was asked for;
    ``missed`` and ``done`` the items left unticked and ticked when a finished checklist was
    reported. ``id`` names this answer in the query log, for feedback on it.
    """

    question: str
    lang: str
    outcome: Outcome
    text: str
    id: str = ""
    topic: str | None = None
    title: str | None = None
    verdict: Verdict | None = None
    verdict_label: str | None = None
    source: str | None = None
    source_label: str | None = None
    confidence: float = 0.0
    options: tuple[Option, ...] = ()
    suggestions: tuple[Option, ...] = ()
    checklist: Option | None = None
    steps: ChecklistView | None = None
    missed: tuple[ItemView, ...] = ()
    done: tuple[str, ...] = ()
    entities: dict[str, Any] = field(default_factory=dict)
    candidates: tuple[Candidate, ...] = ()
    latency_ms: float = 0.0
    context: dict[str, Any] | None = None
    """What the answer took from the conversation (the topic leaned on, the slots taken from
    it, the kind of follow-up); None when it stands on its own."""

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape of ``advisor ask --json``."""
        return {
            "id": self.id,
            "question": self.question,
            "topic": self.topic,
            "outcome": self.outcome.value,
            "confidence": round(self.confidence, 4),
            "verdict": self.verdict.value if self.verdict else None,
            "lang": self.lang,
            "title": self.title,
            "answer": self.text,
            "source": self.source,
            "suggestions": [o.id for o in self.suggestions],
            "options": [o.id for o in self.options],
            "checklist": self.checklist.id if self.checklist else None,
            "steps": self.steps.to_dict() if self.steps else None,
            "missed": [{"id": i.id, "text": i.text, "why": i.why} for i in self.missed],
            "done": list(self.done),
            "entities": dict(self.entities),
            "candidates": [
                {"topic": c.topic, "score": round(c.score, 4), "terms": list(c.terms)}
                for c in self.candidates
            ],
            "context": self.context,
        }
