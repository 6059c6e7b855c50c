"""Chooses the answer / ask-back / decline thresholds on labelled questions, repeatably.

Each question is ranked once; the decision rules (:class:`bot.decision.Decider`) are then
replayed for every candidate setting on a grid, in two rounds: first the three decline
thresholds together, then the two ask-back thresholds with the decline ones fixed. A setting
is allowed when at most ``max_wrongly_declined`` of the in-scope questions are declined; among
those, the one with the highest utility wins: 1 for a right answer, ``clarify_credit`` for an
ask-back whose first option is right, 1 for a question declined that should be. Among settings
with the same utility, the one whose neighbours on the grid do best wins (the middle of a
plateau, not its edge), then the earlier grid point: the same data always gives the same values.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .advisor import Advisor
from .answer import Candidate, Outcome
from .config import Thresholds
from .decision import Decider
from .evaluation import LabelledQuestion
from .text import clean

__all__ = ["Effect", "Ranked", "Tuning", "rank_all", "tune"]

DECLINE_BELOW = [round(0.05 * i, 2) for i in range(0, 15)]
DECLINE_BELOW_IN_DOMAIN = [round(0.05 * i, 2) for i in range(0, 9)]
DECLINE_RATIO = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 10.0]
CLARIFY_RATIO = [0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
SURE_ABOVE = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]


@dataclass(frozen=True, slots=True)
class Ranked:
    """A labelled question with what the matcher made of it."""

    question: LabelledQuestion
    ranked: tuple[Candidate, ...]
    in_domain: bool


@dataclass(frozen=True, slots=True)
class Effect:
    """What a setting does on the labelled questions."""

    answered_right: int
    clarified_right: int
    in_scope: int
    declined_right: int
    out_of_scope: int
    wrongly_declined: int

    @property
    def accuracy(self) -> float:
        return (self.answered_right + self.clarified_right) / self.in_scope if self.in_scope else 0.0

    @property
    def decline_recall(self) -> float:
        return self.declined_right / self.out_of_scope if self.out_of_scope else 0.0

    @property
    def wrongly_declined_rate(self) -> float:
        return self.wrongly_declined / self.in_scope if self.in_scope else 0.0

    def utility(self, clarify_credit: float) -> float:
        return self.answered_right + clarify_credit * self.clarified_right + self.declined_right


@dataclass(frozen=True, slots=True)
class Tuning:
    chosen: Thresholds
    before: Effect
    after: Effect


def rank_all(advisor: Advisor, rows: Iterable[LabelledQuestion]) -> list[Ranked]:
    """Rank every question as :meth:`Advisor.handle` would, once."""
    rows = list(rows)
    texts = [clean(r.text) for r in rows]
    limit = advisor.thresholds.max_options + 2
    rank_many = getattr(advisor.matcher, "rank_many", None)
    ranked = rank_many(texts, limit) if rank_many else [advisor.matcher.rank(t, limit) for t in texts]
    return [
        Ranked(r, tuple(c), advisor.entities.find(t).domain)
        for r, t, c in zip(rows, texts, ranked, strict=True)
    ]


def effect(decider: Decider, rows: Sequence[Ranked]) -> Effect:
    answered = clarified = in_scope = declined_right = out_of_scope = wrongly = 0
    for row in rows:
        decision = decider.decide(row.ranked, row.in_domain)
        declined = decision.outcome is Outcome.DECLINED
        expected = row.question.topic
        if expected is None:
            out_of_scope += 1
            declined_right += declined
            continue
        in_scope += 1
        wrongly += declined
        if decision.best is not None and not declined:
            first = decision.options[0].topic if decision.options else decision.best.topic
            if first == expected:
                if decision.outcome is Outcome.CLARIFY:
                    clarified += 1
                else:
                    answered += 1
    return Effect(answered, clarified, in_scope, declined_right, out_of_scope, wrongly)


def tune(
    advisor: Advisor,
    rows: Sequence[Ranked],
    max_wrongly_declined: float = 0.02,
    clarify_credit: float = 0.75,
) -> Tuning:
    kinds = {t.id: t.kind for t in advisor.knowledge.topics.values()}
    start = advisor.thresholds

    def best(fields: Sequence[str], grids: Sequence[Sequence[float]], base: Thresholds) -> Thresholds:
        scores: dict[tuple[int, ...], float] = {}
        for point in itertools.product(*(range(len(g)) for g in grids)):
            candidate = base.model_copy(
                update={f: g[i] for f, g, i in zip(fields, grids, point, strict=True)}
            )
            if candidate.decline_below_in_domain > candidate.decline_below:
                continue
            result = effect(Decider(candidate, kinds), rows)
            allowed = result.wrongly_declined_rate <= max_wrongly_declined
            scores[point] = result.utility(clarify_credit) if allowed else -1.0
        top = max(scores.values(), default=-1.0)
        if top < 0:
            return base

        def neighbours(point: tuple[int, ...]) -> float:
            near = [
                scores.get(tuple(p + d for p, d in zip(point, step, strict=True)), -1.0)
                for step in itertools.product((-1, 0, 1), repeat=len(point))
            ]
            return sum(near) / len(near)

        tied = [point for point, score in scores.items() if score == top]
        chosen = max(tied, key=lambda point: (neighbours(point), [-i for i in point]))
        return base.model_copy(update={f: g[i] for f, g, i in zip(fields, grids, chosen, strict=True)})

    declines = best(
        ("decline_below", "decline_below_in_domain", "decline_ratio"),
        (DECLINE_BELOW, DECLINE_BELOW_IN_DOMAIN, DECLINE_RATIO),
        start,
    )
    chosen = best(("clarify_ratio", "sure_above"), (CLARIFY_RATIO, SURE_ABOVE), declines)
    return Tuning(chosen, effect(Decider(start, kinds), rows), effect(Decider(chosen, kinds), rows))
