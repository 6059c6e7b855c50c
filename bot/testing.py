"""A small tester for conversations with the advisor, shipped so tests (ours and a policy
owner's checks of their own knowledge base) stay short::

    tester = AdvisorTester()
    tester.expect("should I join this Facebook group?", topic="join-groups", verdict="caution")
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from .advisor import Advisor
from .answer import Answer
from .config import DEFAULT_KNOWLEDGE_DIR
from .knowledge.knowledge import load_knowledge
from .query import Query

__all__ = ["AdvisorTester", "shipped_advisor"]


@lru_cache(maxsize=4)
def shipped_advisor(knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR, matcher: str = "hybrid") -> Advisor:
    """One advisor per knowledge directory and matcher, built once per process, with the
    default install's settings."""
    return Advisor(load_knowledge(knowledge_dir), matcher=matcher)


class AdvisorTester:
    def __init__(self, advisor: Advisor | None = None) -> None:
        self.advisor = advisor or shipped_advisor()

    def ask(self, text: str, **query: Any) -> Answer:
        return self.advisor.handle(Query(text, **query))

    def expect(
        self,
        text: str,
        *,
        topic: str | None = None,
        outcome: str | None = None,
        verdict: str | None = None,
        lang: str | None = None,
        **query: Any,
    ) -> Answer:
        """Ask and assert; a ``None`` expectation is not checked, except ``topic`` with a
        ``declined`` outcome. Failures show the ranked candidates."""
        answer = self.ask(text, **query)
        shown = f"{text!r} -> {answer.outcome.value} {answer.topic} {answer.candidates[:3]}"
        if topic is not None:
            got = answer.options[0].id if answer.outcome.value == "clarify" else answer.topic
            assert got == topic, f"expected topic {topic}: {shown}"
        if outcome is not None:
            assert answer.outcome.value == outcome, f"expected {outcome}: {shown}"
        if verdict is not None:
            assert answer.verdict is not None and answer.verdict.value == verdict, (
                f"expected verdict {verdict}, got {answer.verdict}: {shown}"
            )
        if lang is not None:
            assert answer.lang == lang, f"expected language {lang}: {shown}"
        return answer
