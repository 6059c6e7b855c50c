"""What the person who shared a link is told: the join-group or install-app guidance with its
verdict for that network or app, and the checklist to go through."""

from __future__ import annotations

from dataclasses import dataclass

from ..advisor import Advisor
from ..answer import Answer
from .links import Hit

__all__ = ["TOPICS", "Nudge", "nudge_for", "nudge_phrase"]

TOPICS = {"join-group": "join-groups", "install-app": "install-apps"}


@dataclass(frozen=True, slots=True)
class Nudge:
    hit: Hit
    intro: str
    answer: Answer


def _name(advisor: Advisor, hit: Hit) -> str:
    policy = advisor.knowledge.policy
    found = policy.app(hit.subject) if hit.app else policy.network(hit.subject)
    return found.name if found else hit.subject


def nudge_for(advisor: Advisor, hit: Hit, lang: str) -> Nudge:
    name = _name(advisor, hit)
    phrases = advisor.knowledge.phrases.nudge
    intro = (phrases.join_group if hit.kind == "join-group" else phrases.install_app).get(lang)
    return Nudge(hit, intro.format(name=name), advisor.explain(TOPICS[hit.kind], name, lang))


def nudge_phrase(advisor: Advisor, name: str, lang: str) -> str:
    """One of the fixed sentences of ``/advisor nudge``, the policy owner filled in."""
    policy = advisor.knowledge.policy
    text: str = getattr(advisor.knowledge.phrases.nudge, name).get(lang)
    return text.format(owner=policy.owner.name.get(lang), contact=policy.owner.contact)
