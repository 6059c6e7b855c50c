"""Scores the advisor on labelled conversations (JSON lines, one conversation a line).

Each line is ``{"id": ..., "turns": [{"q": ..., "topic": ...}, ...]}``; a turn may also expect
a ``network``, an ``app``, a ``verdict``, a ``checklist`` (its id, when one should be shown) or
the kind of ``follow_up`` ("why", "instead", "more", "slot", ...). ``"topic": null`` means the
turn must not be answered (a follow-up with nothing before it is asked back on). Every
conversation is played through the advisor with a fresh in-memory context store.
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..advisor import Advisor
from ..answer import Answer, Outcome
from ..query import Query
from ..querylog.pseudonyms import Pseudonymizer
from ..text import detect_lang
from .context import Conversations
from .store import MemoryContextStore

__all__ = ["ConversationReport", "read_conversations", "score_conversations"]

CHECKED = ("network", "app", "verdict", "follow_up")


@dataclass(frozen=True, slots=True)
class LabelledConversation:
    id: str
    turns: tuple[dict[str, Any], ...]


def read_conversations(path: Path) -> list[LabelledConversation]:
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            turns = tuple(dict(t) for t in data["turns"])
            if not turns or not all(isinstance(t["q"], str) and "topic" in t for t in turns):
                raise ValueError("every turn needs q and topic")
            found.append(LabelledConversation(str(data["id"]), turns))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: not a labelled conversation ({exc})") from exc
    return found


def _observed(answer: Answer) -> dict[str, Any]:
    return {
        "network": answer.entities.get("network"),
        "app": answer.entities.get("app"),
        "verdict": answer.verdict.value if answer.verdict else None,
        "follow_up": (answer.context or {}).get("follow_up"),
        "checklist": answer.checklist.id if answer.steps and answer.checklist else None,
    }


def is_right(turn: dict[str, Any], answer: Answer, declines: Collection[str] = ()) -> bool:
    """``declines``: the topics of questions to turn down; a turn labelled with one is right
    when it is declined, as a turn labelled ``null`` is right when it is not answered."""
    if turn["topic"] is None:
        return answer.outcome is not Outcome.ANSWERED
    if turn["topic"] in declines and answer.outcome is Outcome.DECLINED:
        return True
    if answer.outcome is not Outcome.ANSWERED:
        return False
    seen = _observed(answer)
    if "checklist" in turn:
        return bool(seen["checklist"] == turn["checklist"])
    return answer.topic == turn["topic"] and all(seen[k] == turn[k] for k in CHECKED if k in turn)


@dataclass
class ConversationReport:
    conversations: int = 0
    first: Counter[str] = field(default_factory=Counter)
    first_right: Counter[str] = field(default_factory=Counter)
    later: Counter[str] = field(default_factory=Counter)
    later_right: Counter[str] = field(default_factory=Counter)
    no_context: int = 0
    no_context_unanswered: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)

    @staticmethod
    def _share(right: int, total: int) -> float:
        return right / total if total else 1.0

    def later_rate(self, lang: str | None = None) -> float:
        keys = [lang] if lang else list(self.later)
        return self._share(sum(self.later_right[k] for k in keys), sum(self.later[k] for k in keys))

    def first_rate(self, lang: str | None = None) -> float:
        keys = [lang] if lang else list(self.first)
        return self._share(sum(self.first_right[k] for k in keys), sum(self.first[k] for k in keys))

    @property
    def no_context_rate(self) -> float:
        return self._share(self.no_context_unanswered, self.no_context)

    def to_dict(self) -> dict[str, Any]:
        langs = sorted(set(self.first) | set(self.later))
        return {
            "conversations": self.conversations,
            "later_turns": {"total": sum(self.later.values()), "right": round(self.later_rate(), 4)}
            | {lang: round(self.later_rate(lang), 4) for lang in langs},
            "first_turns": {"total": sum(self.first.values()), "right": round(self.first_rate(), 4)}
            | {lang: round(self.first_rate(lang), 4) for lang in langs},
            "no_context_follow_ups": {
                "total": self.no_context,
                "not_answered": round(self.no_context_rate, 4),
            },
            "misses": self.misses,
        }


def conversing(advisor: Advisor) -> Advisor:
    """An advisor sharing ``advisor``'s knowledge and matcher, with a context store of its own."""
    conversations = Conversations(MemoryContextStore(), Pseudonymizer(secrets.token_bytes(32)))
    return Advisor(
        advisor.knowledge, matcher=advisor.matcher, thresholds=advisor.thresholds, conversations=conversations
    )


def score_conversations(advisor: Advisor, conversations: list[LabelledConversation]) -> ConversationReport:
    talking = conversing(advisor)
    declines = {t.id for t in advisor.knowledge.topics.values() if t.kind == "decline"}
    report = ConversationReport(conversations=len(conversations))
    for conversation in conversations:
        for index, turn in enumerate(conversation.turns):
            answer = talking.handle(Query(turn["q"], channel="cli", conversation_id=conversation.id))
            right = is_right(turn, answer, declines)
            lang = detect_lang(turn["q"])
            if index == 0 and turn["topic"] is None:
                report.no_context += 1
                report.no_context_unanswered += right
            elif index == 0:
                report.first[lang] += 1
                report.first_right[lang] += right
            else:
                report.later[lang] += 1
                report.later_right[lang] += right
            if not right:
                report.misses.append(
                    {"id": conversation.id, "turn": index, "q": turn["q"], "expected": turn}
                    | {"got": {"outcome": answer.outcome.value, "topic": answer.topic} | _observed(answer)}
                )
    return report
