"""Answer, ask back or decline: the rules applied to a matcher's ranked topics.

Kept apart from the matcher, as a fallback classifier is kept apart from the intent classifier:
the matcher says how likely each topic is, this component says what to do with that, and
``advisor tune`` tries its thresholds on labelled questions without ranking them again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .answer import Candidate, Outcome
from .config import Thresholds

__all__ = ["Decider", "Decision"]


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    best: Candidate | None = None
    options: tuple[Candidate, ...] = ()
    """The close candidates offered in a "did you mean"."""


class Decider:
    """Applies :class:`Thresholds` to ranked candidates; ``kinds`` maps a topic id to its kind
    (``decline`` topics hold examples of questions to turn down)."""

    def __init__(self, thresholds: Thresholds, kinds: Mapping[str, str]) -> None:
        self.thresholds = thresholds
        self.kinds = kinds

    def decide(self, ranked: Sequence[Candidate], in_domain: bool, one_word: bool = False) -> Decision:
        """``in_domain``: the question names a network, an approved app or "social media"; it
        is then declined only when nothing fits or the off-topic examples fit it better.
        ``one_word``: the question is a single word ("networks"), which several topics share:
        asked back on whenever another topic is close."""
        t = self.thresholds
        floor, ratio = (t.decline_below_in_domain, 1.0) if in_domain else (t.decline_below, t.decline_ratio)
        advice = [c for c in ranked if self.kinds.get(c.topic) != "decline"]
        outside = max((c.score for c in ranked if self.kinds.get(c.topic) == "decline"), default=0.0)
        if not advice or advice[0].score < floor or outside >= advice[0].score * ratio:
            return Decision(Outcome.DECLINED)
        close = [c for c in advice if c.score >= advice[0].score * t.clarify_ratio]
        tied = len(advice) > 1 and advice[1].score >= advice[0].score * t.tie_ratio
        if len(close) > 1 and (advice[0].score < t.sure_above or tied or one_word):
            return Decision(Outcome.CLARIFY, advice[0], tuple(close[: t.max_options]))
        return Decision(Outcome.ANSWERED, advice[0])
