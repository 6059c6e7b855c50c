"""When the advisor answers, asks back or declines: the thresholds and each matcher's chosen ones."""

from __future__ import annotations

from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)

__all__ = ["MATCHER_THRESHOLDS", "Thresholds"]


class Thresholds(BaseModel):
    """When the advisor answers, asks back or declines (docs/matching.md, "Matchers and tuning").

    - below ``decline_below`` the best topic is too far: decline; a question that names a
      network, an approved app or "social media" is declined only below
      ``decline_below_in_domain``;
    - when the knowledge base's off-topic examples score at least ``decline_ratio`` of the best
      topic, a question that names nothing of the domain looks more like them: decline;
    - a runner-up scoring at least ``clarify_ratio`` of the best makes it a "did you mean",
      unless the best is above ``sure_above`` and the runner-up below ``tie_ratio`` of it (a
      near tie is asked back however high both score).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    decline_below: float = Field(0.15, ge=0.0, le=1.0)
    decline_below_in_domain: float = Field(0.05, ge=0.0, le=1.0)
    decline_ratio: float = Field(0.3, ge=0.0, le=10.0)
    clarify_ratio: float = Field(0.6, ge=0.0, le=1.0)
    sure_above: float = Field(0.4, ge=0.0, le=1.0)
    tie_ratio: float = Field(0.9, ge=0.0, le=1.0)
    max_options: int = Field(3, ge=2, le=5)
    max_question_chars: int = Field(1000, ge=20)

    @classmethod
    def for_matcher(cls, kind: str, **chosen: Any) -> Thresholds:
        """The defaults ``advisor tune`` chose for that matcher, with ``chosen`` on top."""
        return cls(**(MATCHER_THRESHOLDS.get(kind, {}) | chosen))


# Chosen by ``advisor tune tests/data/devset.jsonl`` for each matcher (docs/matching.md).
MATCHER_THRESHOLDS: dict[str, dict[str, float]] = {
    "hybrid": {},
    "lexical": {
        "decline_below": 0.15,
        "decline_below_in_domain": 0.05,
        "decline_ratio": 0.2,
        "clarify_ratio": 0.6,
        "sure_above": 0.4,
    },
    "centroid": {
        "decline_below": 0.06,
        "decline_below_in_domain": 0.03,
        "decline_ratio": 0.35,
        "clarify_ratio": 0.9,
        "sure_above": 0.55,
    },
}
