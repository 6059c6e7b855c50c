"""The answer / ask-back / decline rules on hand-made rankings."""

from __future__ import annotations

from bot.answer import Candidate, Outcome
from bot.config import Thresholds
from bot.decision import Decider

KINDS = {"apps": "advice", "groups": "advice", "privacy": "advice", "off-topic": "decline"}
T = Thresholds(
    decline_below=0.2, decline_below_in_domain=0.05, decline_ratio=0.5, clarify_ratio=0.6, sure_above=0.5
)


def decide(*ranked: tuple[str, float], in_domain: bool = False) -> Outcome:
    return Decider(T, KINDS).decide([Candidate(t, s) for t, s in ranked], in_domain).outcome


def test_a_clear_best_topic_is_answered() -> None:
    decision = Decider(T, KINDS).decide([Candidate("apps", 0.9), Candidate("groups", 0.1)], False)
    assert decision.outcome is Outcome.ANSWERED and decision.best == Candidate("apps", 0.9)


def test_too_low_a_score_is_declined_unless_the_question_names_the_domain() -> None:
    assert decide(("apps", 0.1)) is Outcome.DECLINED
    assert decide(("apps", 0.1), in_domain=True) is Outcome.ANSWERED
    assert decide(("apps", 0.04), in_domain=True) is Outcome.DECLINED


def test_off_topic_examples_close_to_the_best_make_a_decline() -> None:
    assert decide(("apps", 0.6), ("off-topic", 0.3)) is Outcome.DECLINED
    assert decide(("apps", 0.6), ("off-topic", 0.2)) is Outcome.ANSWERED
    # Naming a network, an app or "social media": declined only when off-topic fits better.
    assert decide(("apps", 0.6), ("off-topic", 0.3), in_domain=True) is Outcome.ANSWERED
    assert decide(("off-topic", 0.7), ("apps", 0.6), in_domain=True) is Outcome.DECLINED


def test_close_runners_up_ask_back_unless_the_best_is_sure() -> None:
    decision = Decider(T, KINDS).decide(
        [Candidate("apps", 0.4), Candidate("groups", 0.3), Candidate("privacy", 0.1)], False
    )
    assert decision.outcome is Outcome.CLARIFY
    assert [c.topic for c in decision.options] == ["apps", "groups"]
    assert decide(("apps", 0.8), ("groups", 0.7)) is Outcome.ANSWERED


def test_a_near_tie_asks_back_however_sure_the_best() -> None:
    decision = Decider(T, KINDS).decide([Candidate("apps", 0.42), Candidate("groups", 0.4)], False)
    assert decision.outcome is Outcome.CLARIFY
    assert [c.topic for c in decision.options] == ["apps", "groups"]
    assert decide(("apps", 0.8), ("groups", 0.73)) is Outcome.CLARIFY
    assert decide(("apps", 0.8), ("groups", 0.71)) is Outcome.ANSWERED


def test_nothing_ranked_is_declined() -> None:
    assert decide() is Outcome.DECLINED
    assert decide(("off-topic", 0.9)) is Outcome.DECLINED
