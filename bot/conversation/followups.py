"""The follow-up resolver: what a message takes from the conversation's context.

Before matching, a message that means nothing alone ("why?", "and on Instagram?", "a checklist
for that?") is turned to the previous topic, with the network or app it names replacing the
previous one; with no context, or naming an app the previous topic does not turn on, it gets
an ask-back instead of a guess. After matching, a question about the same topic, or one that
points back ("may I join it?"), keeps the network or app it does not name, and an ask-back
between topics where one is the previous topic settles on it. A question complete on its own
takes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..answer import Candidate, Outcome
from ..decision import Decision
from ..knowledge.knowledge import Topic
from ..matching.entities import Entities, EntityFinder
from .cues import Intent, Reading
from .store import Context

__all__ = ["FollowUp", "FollowUps"]

# A short follow-up-like message is a question about another topic only when this sure of it.
SURE = 0.8
# A longer message that opens like a follow-up ("why are social networks such a big deal for
# companies?") carries words of its own: a question about another topic from this score.
OPENING_SURE = 0.5
# A message pointing back that would be declined means the previous topic when that topic is
# among this many advice topics closest to it.
DEIXIS_REACH = 3
Kind = Literal["why", "instead", "more", "checklist", "slot", "refers", "ask_back"]


@dataclass(frozen=True, slots=True)
class FollowUp:
    """How a message is answered in its context: ``kind`` of follow-up, the ``topic`` to
    answer (None for an ask-back), the ``entities`` to answer with and those of them that
    came from the context (``inherited``)."""

    kind: Kind
    topic: str | None
    entities: Entities
    inherited: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The answer's ``context``: the topic leaned on and the slots taken from it."""
        return {"topic": self.topic, "entities": dict(self.inherited), "follow_up": self.kind}


class FollowUps:
    def __init__(
        self, finder: EntityFinder, topics: Mapping[str, Topic], floor: float = 0.05, sure: float = SURE
    ) -> None:
        """``floor``: the least score at which a message pointing back ("can I stay in it?")
        that would be declined is taken to mean the previous topic, when that is the best
        advice topic for it; ``sure``: the score from which a short message that looks like a
        follow-up ("linkedin as well?") is taken as a question about another topic instead."""
        self.finder = finder
        self.topics = topics
        self.floor = floor
        self.sure = sure

    def _is_advice(self, topic_id: str) -> bool:
        topic = self.topics.get(topic_id)
        return topic is not None and topic.kind == "advice"

    def _anchor(self, context: Context | None) -> Context | None:
        return context if context is not None and self._is_advice(context.topic) else None

    def before_matching(
        self, reading: Reading, context: Context | None, opens: Intent | None = None
    ) -> FollowUp | None:
        """A message that leans on what came before, answered without matching it; what it
        opens with (``opens``) says its intent before the words after it do."""
        if not reading.leans:
            return None
        anchor = self._anchor(context)
        if anchor is None:
            # "a checklist for that?" alone lists the checklists, as any unnamed one does.
            return None if reading.checklist_only and reading.intent is None else self._ask_back(reading)
        if reading.slot_only and not self._fits(reading.entities, anchor):
            return self._ask_back(reading)
        entities, inherited = self._entities(reading, anchor)
        intent = opens if opens is not None and reading.intent is not None else reading.intent
        kind: Kind = intent or ("checklist" if reading.checklist_only else "slot")
        return FollowUp(kind, anchor.topic, entities, inherited)

    def after_matching(
        self,
        decision: Decision,
        ranked: Sequence[Candidate],
        reading: Reading,
        context: Context | None,
        opens: Intent | None = None,
        leans: bool = False,
    ) -> FollowUp | None:
        """A matched question that keeps the context's network or app, an ask-back the
        context settles, or a decline of a message that points back at the previous topic.
        ``opens``: the intent the message opens with ("why not, ...", "so what should I do
        ..."), taken about the previous topic unless the matcher is sure of another, the
        opening does not lean on the topic anyway (``leans``: it points back, or argues) and
        the message is not a short "what else ...?"."""
        anchor = self._anchor(context)
        if anchor is None:
            return self._settled(decision, reading, context)
        leaning = leans or (opens == "more" and reading.short)
        bar = self.sure if reading.short else OPENING_SURE
        if opens is not None and (leaning or not self._sure_of_another(decision, anchor, bar)):
            entities, inherited = self._entities(reading, anchor)
            return FollowUp(opens, anchor.topic, entities, inherited)
        short = self._short(decision, reading, anchor)
        if short is not None:
            return short
        if reading.entities.network or reading.entities.app:
            return self._new_slot(decision, reading, anchor)
        entities, inherited = self._entities(reading, anchor)
        if decision.outcome is Outcome.CLARIFY and any(o.topic == anchor.topic for o in decision.options):
            return FollowUp("refers", anchor.topic, entities, inherited)
        if decision.outcome is Outcome.DECLINED and (reading.deixis or reading.bare):
            # Pointing back ("is that reliable enough?"): the previous topic when it is among
            # the advice closest to the message; a bare message needs it closest.
            advice = [c for c in ranked if self._is_advice(c.topic)][: DEIXIS_REACH if reading.deixis else 1]
            if any(c.topic == anchor.topic and c.score >= self.floor for c in advice):
                return FollowUp("refers", anchor.topic, entities, inherited)
        best = decision.best
        if decision.outcome is not Outcome.ANSWERED or best is None:
            return None
        unsure = best.score < OPENING_SURE and self._is_advice(best.topic)
        if reading.deixis and best.topic != anchor.topic and unsure:
            # Pointing back, and the matcher is unsure of the topic it found: the previous one.
            return FollowUp("refers", anchor.topic, entities, inherited)
        if not inherited:
            return None
        if not self._is_advice(best.topic):
            return None
        if best.topic == anchor.topic or reading.deixis:
            return FollowUp("refers", best.topic, entities, inherited)
        return None

    def settle(self, topic: str, context: Context | None) -> Entities | None:
        """What an ask-back with no topic before it named ("and on TikTok?" - "about what?"),
        for ``topic``, the topic the reply chose, when that topic turns on it."""
        if context is None or context.topic or topic not in self.topics:
            return None
        slots = self.topics[topic].slots
        network = context.network if "network" in slots else None
        app = context.app if "app" in slots else None
        return self.finder.of(network, app) if network or app else None

    def _settled(self, decision: Decision, reading: Reading, context: Context | None) -> FollowUp | None:
        """A reply to an ask-back with nothing before it, matched to a topic and naming no
        network or app of its own ("I meant posting jobs there"): answered for what the
        ask-back named."""
        best = decision.best
        if decision.outcome is not Outcome.ANSWERED or best is None or not self._is_advice(best.topic):
            return None
        if reading.entities.network or reading.entities.app:
            return None
        entities = self.settle(best.topic, context)
        return FollowUp("refers", best.topic, entities, entities.to_dict()) if entities else None

    def _new_slot(self, decision: Decision, reading: Reading, anchor: Context) -> FollowUp | None:
        """A question matched to the previous topic that names another network or app than it
        had ("and a facebook group for the same thing?"): the same topic, a slot changed."""
        best = decision.best
        named = reading.entities
        if decision.outcome is not Outcome.ANSWERED or best is None or best.topic != anchor.topic:
            return None
        if (named.network, named.app) == (anchor.network, anchor.app):
            return None
        return FollowUp("slot", anchor.topic, named, {})

    def _sure_of_another(self, decision: Decision, anchor: Context, bar: float) -> bool:
        """The matcher answers with an advice topic other than the previous one, at ``bar``
        or above."""
        best = decision.best
        return (
            decision.outcome is Outcome.ANSWERED
            and best is not None
            and best.topic != anchor.topic
            and best.score >= bar
            and self._is_advice(best.topic)
        )

    def _short(self, decision: Decision, reading: Reading, anchor: Context) -> FollowUp | None:
        """A short message with a follow-up's marks (an intent's head word, a network or app
        named, a word pointing back, or only words about the previous answer), when the matcher
        is sure of no other topic."""
        best = decision.best
        if decision.outcome is Outcome.ANSWERED and best is not None:
            if best.topic == anchor.topic or (best.score >= self.sure and self._is_advice(best.topic)):
                return None
            if not self._is_advice(best.topic):
                return None  # greetings, thanks, help
        if not reading.short:
            return None
        named = bool(reading.entities.network or reading.entities.app)
        if named and not self._fits(reading.entities, anchor):
            return self._ask_back(reading)
        points_back = reading.deixis or reading.vague
        kind: Kind | None = reading.hinted or ("slot" if named else "refers" if points_back else None)
        if kind is None:
            return None
        entities, inherited = self._entities(reading, anchor)
        return FollowUp(kind, anchor.topic, entities, inherited)

    def _fits(self, entities: Entities, anchor: Context) -> bool:
        """Whether what a message names can stand in the previous topic: a network always, an
        app only in a topic that turns on apps ("is hootsuite allowed?" after a question about
        groups asks about the app, not about groups)."""
        topic = self.topics.get(anchor.topic)
        return bool(entities.network) or not entities.app or (topic is not None and "app" in topic.slots)

    def _entities(self, reading: Reading, anchor: Context) -> tuple[Entities, dict[str, Any]]:
        if reading.entities.network or reading.entities.app:
            return reading.entities, {}
        prior = self.finder.of(anchor.network, anchor.app)
        return prior, prior.to_dict()

    def _ask_back(self, reading: Reading) -> FollowUp:
        return FollowUp("ask_back", None, reading.entities)
