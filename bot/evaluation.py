"""Scores the advisor on a labelled question set (JSON lines: ``q``, ``topic`` or null, ``lang``)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .advisor import Advisor
from .answer import Answer, Outcome
from .query import Query

__all__ = ["EvalReport", "LabelledQuestion", "evaluate", "read_labelled"]


@dataclass(frozen=True, slots=True)
class LabelledQuestion:
    text: str
    topic: str | None
    lang: str


def read_labelled(path: Path) -> list[LabelledQuestion]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            rows.append(LabelledQuestion(str(data["q"]), data.get("topic"), str(data["lang"])))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: not a labelled question ({exc})") from exc
    return rows


def predicted_topic(answer: Answer) -> str | None:
    """The topic the advisor went for: the answer's, or the first "did you mean" option."""
    if answer.outcome is Outcome.CLARIFY:
        return answer.options[0].id
    return answer.topic


@dataclass
class EvalReport:
    total: dict[str, int] = field(default_factory=Counter)
    correct: dict[str, int] = field(default_factory=Counter)
    clarified: dict[str, int] = field(default_factory=Counter)
    should_decline: int = 0
    declined: int = 0
    declined_right: int = 0
    wrongly_declined: int = 0
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    misses: list[tuple[str, str | None, str | None]] = field(default_factory=list)

    def accuracy(self, lang: str) -> float:
        return self.correct[lang] / self.total[lang] if self.total[lang] else 0.0

    @property
    def in_scope(self) -> int:
        return sum(self.total.values())

    @property
    def decline_recall(self) -> float:
        return self.declined_right / self.should_decline if self.should_decline else 0.0

    @property
    def decline_precision(self) -> float:
        return self.declined_right / self.declined if self.declined else 0.0

    @property
    def wrongly_declined_rate(self) -> float:
        return self.wrongly_declined / self.in_scope if self.in_scope else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "accuracy": {lang: round(self.accuracy(lang), 4) for lang in sorted(self.total)},
            "in_scope": dict(self.total),
            "clarified": dict(self.clarified),
            "decline_precision": round(self.decline_precision, 4),
            "decline_recall": round(self.decline_recall, 4),
            "wrongly_declined_rate": round(self.wrongly_declined_rate, 4),
            "confusions": [
                {"expected": e, "got": g, "count": n} for (e, g), n in self.confusions.most_common()
            ],
        }


def evaluate(advisor: Advisor, rows: Iterable[LabelledQuestion]) -> EvalReport:
    report = EvalReport()
    for row in rows:
        answer = advisor.handle(Query(row.text, channel="cli"))
        declined = answer.outcome is Outcome.DECLINED
        got = None if declined else predicted_topic(answer)
        report.declined += declined
        if row.topic is None:
            report.should_decline += 1
            report.declined_right += declined
            if not declined:
                report.misses.append((row.text, None, got))
            continue
        report.total[row.lang] += 1
        report.clarified[row.lang] += answer.outcome is Outcome.CLARIFY
        report.wrongly_declined += declined
        if got == row.topic:
            report.correct[row.lang] += 1
        else:
            report.confusions[(row.topic, got or "(declined)")] += 1
            report.misses.append((row.text, row.topic, got))
    return report
