"""Scores the advisor on a labelled question set (JSON lines: ``q``, ``topic`` or null, ``lang``,
and ``verdict`` where the topic and the policy determine it).

A question's expected verdict is derived, not judged: :func:`expected_verdict` applies the
labelled topic's verdict rules (``verdicts`` in its YAML, else its ``verdict``) to the networks
and approved apps the question names word for word, by the policy's names and aliases. The
stored labels are that derivation's output, and a test checks they still are.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .advisor import Advisor
from .answer import Answer, Outcome
from .knowledge.knowledge import Knowledge
from .knowledge.policy import Policy
from .query import Query
from .text import hebrew_variants, is_hebrew, normalize, tokens

__all__ = ["EvalReport", "LabelledQuestion", "evaluate", "expected_verdict", "read_labelled"]

# Network and app names run to three words ("linkedin sales navigator").
_LONGEST_NAME = 3


@dataclass(frozen=True, slots=True)
class LabelledQuestion:
    text: str
    topic: str | None
    lang: str
    verdict: str | None = None


def read_labelled(path: Path) -> list[LabelledQuestion]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            rows.append(
                LabelledQuestion(str(data["q"]), data.get("topic"), str(data["lang"]), data.get("verdict"))
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: not a labelled question ({exc})") from exc
    return rows


def predicted_topic(answer: Answer) -> str | None:
    """The topic the advisor went for: the answer's, or the first "did you mean" option."""
    if answer.outcome is Outcome.CLARIFY:
        return answer.options[0].id
    return answer.topic


def _names(policy: Policy) -> dict[str, tuple[str, str]]:
    """Every network and approved app name and alias, spaces removed, to ("network", kind) or
    ("app", "approved")."""
    names: dict[str, tuple[str, str]] = {}
    for network in policy.networks:
        for alias in (network.name, network.id, *network.aliases.all()):
            names[normalize(alias).replace(" ", "")] = ("network", network.kind)
    for app in policy.approved_apps:
        for alias in (app.name, *app.aliases.all()):
            names[normalize(alias).replace(" ", "")] = ("app", "approved")
    return names


def named(policy: Policy, text: str) -> dict[str, str]:
    """The kind of the first network and whether an approved app is named, word for word: runs
    of up to three words, spaces removed, also behind Hebrew prefixes, and no typo allowance."""
    names, words = _names(policy), tokens(text)
    found: dict[str, str] = {}
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST_NAME, len(words) - i), 0, -1):
            key = "".join(words[i : i + size])
            forms = [key, *hebrew_variants(key, min_rest=2)] if is_hebrew(key) else [key]
            hit = next((names[f] for f in forms if f in names), None)
            if hit:
                found.setdefault(hit[0], hit[1])
                i += size
                break
        else:
            i += 1
    return found


def expected_verdict(knowledge: Knowledge, topic: str, text: str) -> str:
    """The verdict the knowledge base gives ``topic`` for a question that names what ``text``
    names: the first of the topic's verdict rules whose condition holds, else its own."""
    chosen = knowledge.topics[topic]
    found = named(knowledge.policy, text)
    for rule in chosen.verdicts:
        kind, app = rule.when.network_kind, rule.when.app
        if (kind is None or kind == found.get("network", "none")) and (
            app is None or app == found.get("app", "none")
        ):
            return rule.verdict.value
    return chosen.verdict.value


@dataclass
class EvalReport:
    total: dict[str, int] = field(default_factory=Counter)
    correct: dict[str, int] = field(default_factory=Counter)
    clarified: dict[str, int] = field(default_factory=Counter)
    should_decline: int = 0
    declined: int = 0
    declined_right: int = 0
    wrongly_declined: int = 0
    verdicts: int = 0
    """In-scope questions with a verdict label that were answered (not asked back on, not declined)."""
    verdicts_right: int = 0
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

    @property
    def verdict_accuracy(self) -> float:
        """Of the answers given to questions with a verdict label, the share whose verdict is
        the label's (a wrong topic with the same verdict counts as right)."""
        return self.verdicts_right / self.verdicts if self.verdicts else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "accuracy": {lang: round(self.accuracy(lang), 4) for lang in sorted(self.total)},
            "in_scope": dict(self.total),
            "clarified": dict(self.clarified),
            "decline_precision": round(self.decline_precision, 4),
            "decline_recall": round(self.decline_recall, 4),
            "wrongly_declined_rate": round(self.wrongly_declined_rate, 4),
            "verdict_accuracy": round(self.verdict_accuracy, 4),
            "verdicts": self.verdicts,
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
        if row.verdict is not None and answer.outcome is Outcome.ANSWERED:
            report.verdicts += 1
            report.verdicts_right += answer.verdict is not None and answer.verdict.value == row.verdict
        if got == row.topic:
            report.correct[row.lang] += 1
        else:
            report.confusions[(row.topic, got or "(declined)")] += 1
            report.misses.append((row.text, row.topic, got))
    return report
