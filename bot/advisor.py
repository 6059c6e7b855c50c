"""The core's one entry point: ``Advisor.handle(Query) -> Answer``."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from .answer import Answer, Candidate, Option, Outcome
from .config import Settings, Thresholds
from .conversation.context import Conversations
from .conversation.cues import Cues, Intent, Reading
from .conversation.followups import FollowUp, FollowUps
from .conversation.names import LooseNames
from .conversation.openers import Openers
from .conversation.replies import ask_back, explain
from .conversation.store import Context
from .decision import Decider
from .handouts import Handouts
from .knowledge.knowledge import Knowledge, Topic, load_knowledge
from .knowledge.localized import Localized
from .matching.build import TopicTexts, build_matcher, settings_cache, settings_encoder
from .matching.embedcache import FusionCache
from .matching.entities import Entities, EntityFinder
from .matching.lexical import Matcher
from .matching.scorers import Encoder
from .query import Channel, Query
from .querylog.recording import Recorder, new_id
from .text import clean, detect_lang, has_words, tokens

__all__ = ["Advisor"]


class Advisor:
    """Answers questions from a knowledge base; synchronous, in-memory and thread-safe."""

    def __init__(
        self,
        knowledge: Knowledge,
        matcher: Matcher | str = "hybrid",
        thresholds: Thresholds | None = None,
        clock: Callable[[], float] = time.perf_counter,
        recorder: Recorder | None = None,
        encoder: Encoder | None = None,
        conversations: Conversations | None = None,
        cache: FusionCache | None = None,
    ) -> None:
        """``matcher`` is a ready matcher or the kind to build from the knowledge base:
        ``hybrid`` fuses the lexical and semantic scorers (``encoder`` embeds sentences),
        ``lexical`` runs without an encoder, ``centroid`` is the plain lexical matcher alone.
        ``thresholds`` default to those chosen for that kind (``hybrid``'s for a ready
        matcher). ``recorder`` logs each question; ``observers`` (added later) see every
        answer, for metrics; ``conversations`` keeps each conversation's context between turns
        (without it, follow-ups with nothing before them are asked back on); ``cache`` keeps
        the matcher's learned fusion between starts."""
        kind = ("hybrid" if matcher == "semantic" else matcher) if isinstance(matcher, str) else "hybrid"
        self.knowledge = knowledge
        self.thresholds = thresholds or Thresholds.for_matcher(kind)
        topics = TopicTexts.of(knowledge)
        self.matcher = build_matcher(topics, kind, encoder, cache) if isinstance(matcher, str) else matcher
        self.decider = Decider(self.thresholds, {t.id: t.kind for t in knowledge.topics.values()})
        self.entities = EntityFinder(
            knowledge.policy, knowledge.domain.terms.all(), knowledge.domain.checklist_words.all()
        )
        self._concepts = topics.concepts
        self.handouts = Handouts(knowledge, self._concepts)
        self._clock = clock
        self.recorder = recorder
        self.observers: list[Callable[[Query, Answer], None]] = []
        self.conversations = conversations
        cues = knowledge.conversation
        self.cues = Cues(cues, self.entities, LooseNames(knowledge.policy)) if cues else None
        self.openers = (
            Openers(cues.openers, cues.pushback.all() if cues and cues.pushback else ()) if cues else None
        )
        self.followups = FollowUps(self.entities, knowledge.topics, self.thresholds.decline_below_in_domain)
        self._advice = frozenset(t.id for t in knowledge.topics.values() if t.kind == "advice")

    @classmethod
    def from_settings(cls, settings: Settings) -> Advisor:
        """Load the knowledge base and policy the settings point at, and the encoder."""
        knowledge = load_knowledge(settings.knowledge_dir, settings.policy_file)
        return cls(
            knowledge,
            thresholds=settings.thresholds,
            matcher=settings.matcher,
            encoder=settings_encoder(settings),
            cache=settings_cache(settings),
        )

    def adopt(self, knowledge: Knowledge, matcher: Matcher) -> None:
        """Serve ``knowledge`` with its matcher: every part is built first, then each replaced
        whole, the matcher last. A question answered meanwhile knows every topic added before
        the matcher offers it, and a topic taken away is never offered: the matcher's
        candidates are kept to the topics the knowledge served holds."""
        handouts = Handouts(knowledge, self._concepts)
        decider = Decider(self.thresholds, {t.id: t.kind for t in knowledge.topics.values()})
        followups = FollowUps(self.entities, knowledge.topics, self.thresholds.decline_below_in_domain)
        advice = frozenset(t.id for t in knowledge.topics.values() if t.kind == "advice")
        self.knowledge, self.handouts, self.decider = knowledge, handouts, decider
        self.followups, self._advice = followups, advice
        self.matcher = matcher

    def handle(self, query: Query) -> Answer:
        started = self._clock()
        context = self.conversations.recall(query) if self.conversations else None
        answer = self._answer(query, context)
        answer = replace(answer, id=new_id(), latency_ms=(self._clock() - started) * 1000.0)
        if self.conversations:
            self.conversations.keep(query, answer, context, self._advice)
        if self.recorder:
            self.recorder.answered(query, answer)
        for observe in self.observers:
            observe(query, answer)
        return answer

    def explain(self, topic: str, about: str, lang: str) -> Answer:
        """A topic's answer for ``about`` (a network or an app), with its verdict for it; not
        logged (the nudge shows it beside a shared link, nobody asked it)."""
        return self._compose(about, lang, self.knowledge.topics[topic], 1.0, (), self.entities.find(about))

    def label(self, name: str, lang: str) -> str:
        """A fixed phrase (button labels such as ``helpful``, ``apology``) in ``lang``,
        with the policy owner filled in."""
        phrase: Localized = getattr(self.knowledge.phrases, name)
        return phrase.get(lang).format_map(self._fields(lang, Entities()) | {"limit": "", "name": ""})

    def record_failure(self, query: Query) -> None:
        """Log a question that could not be answered because of an internal error."""
        if self.recorder:
            self.recorder.failed(query)

    def feedback(
        self,
        question_id: str,
        channel: Channel,
        user_id: str | None = None,
        *,
        helpful: bool | None = None,
        comment: str | None = None,
        picked: str | None = None,
    ) -> str | None:
        """Record what a person said of an answer: helpful or not, a comment, or the "did you
        mean" option they picked ("none" for none of these). Returns the feedback's id."""
        if not self.recorder:
            return None
        return self.recorder.feedback(
            question_id, channel, user_id, helpful=helpful, comment=comment, picked=picked
        )

    def _answer(self, query: Query, context: Context | None = None) -> Answer:
        text = clean(query.text)
        lang = query.lang or detect_lang(text or clean(query.checklist or ""))
        if query.checklist is not None:
            return self.handouts.named(query.checklist, lang, query.ticked)
        if query.topic is not None:
            topic = self.knowledge.topics.get(query.topic)
            if topic is not None and topic.kind != "decline":
                named = self.entities.find(text)
                settled = None if named.network or named.app else self.followups.settle(topic.id, context)
                return self._compose(text, lang, topic, 1.0, (), settled or named)
        if not text:
            return self._phrase(text, lang, "empty")
        if len(text) > self.thresholds.max_question_chars:
            return self._phrase(text[:200], lang, "too_long")
        if not has_words(text):
            return self._phrase(text, lang, "no_words")
        reading = self.cues.read(text) if self.cues else Reading(self.entities.find(text))
        entities = reading.entities
        acknowledged = self.knowledge.conversation and self.knowledge.conversation.acknowledgement_topic
        if reading.acknowledged and acknowledged:
            return self._compose(text, lang, self.knowledge.topics[acknowledged], 1.0, (), entities)
        opening = self.openers.find(text) if self.openers and context else None
        opens = opening.intent if opening else None
        follow = self.followups.before_matching(reading, context, opens) if self.cues else None
        if follow:
            return self._follow(text, lang, follow)
        if entities.checklist:
            about = context.topic if context and context.topic in self._advice else None
            return self.handouts.asked(text, lang, about)
        knowledge = self.knowledge
        ranked = self.matcher.rank(text, limit=self.thresholds.max_options + 2)
        ranked = [c for c in ranked if c.topic in knowledge.topics]
        leans = bool(opening and self.cues and opening.leans(reading, self.cues.read))
        return self._decide(text, lang, ranked, reading, context, knowledge, opens, leans)

    def _decide(
        self,
        text: str,
        lang: str,
        ranked: list[Candidate],
        reading: Reading,
        context: Context | None,
        knowledge: Knowledge,
        opens: Intent | None = None,
        leans: bool = False,
    ) -> Answer:
        entities = reading.entities
        decision = self.decider.decide(ranked, entities.domain, one_word=len(tokens(text)) == 1)
        follow = self.followups.after_matching(decision, ranked, reading, context, opens, leans)
        if follow:
            score = next((c.score for c in ranked if c.topic == follow.topic), 0.0)
            return self._follow(text, lang, follow, score, tuple(ranked))
        if decision.outcome is Outcome.DECLINED or decision.best is None:
            return self._decline(text, lang, ranked)
        if decision.outcome is Outcome.CLARIFY:
            return self._clarify(text, lang, list(decision.options), ranked)
        best = decision.best
        return self._compose(text, lang, knowledge.topics[best.topic], best.score, tuple(ranked), entities)

    # -- follow-ups in a conversation (bot/conversation) --------------------------------------

    def _follow(
        self, text: str, lang: str, follow: FollowUp, score: float = 1.0, ranked: tuple[Candidate, ...] = ()
    ) -> Answer:
        """A message answered in its context: an ask-back with nothing to follow, the previous
        topic's checklist, or a topic answered (and explained) for the follow-up's slots."""
        if follow.topic is None:
            return ask_back(text, lang, follow.entities, self.knowledge, self.thresholds.max_options)
        topic = self.knowledge.topics[follow.topic]
        if follow.kind == "checklist":
            answer = replace(self.handouts.named(topic.checklist or "", lang), question=text)
        else:
            answer = self._compose(text, lang, topic, score, ranked, follow.entities)
            if follow.kind in ("why", "instead", "more"):
                fields = self._fields(lang, follow.entities)
                answer = explain(answer, topic, follow.kind, self.knowledge, fields)
        return replace(answer, context=follow.to_dict())

    # -----------------------------------------------------------------------------------------

    def _fields(self, lang: str, entities: Entities) -> dict[str, str]:
        policy = self.knowledge.policy
        app = policy.app(entities.app) if entities.app else None
        return {
            "org": policy.organization.get(lang),
            "owner": policy.owner.name.get(lang),
            "contact": policy.owner.contact,
            "network": entities.network_name or "",
            "app": app.name if app else "",
            "app_note": app.note.get(lang) if app else "",
        }

    def _compose(
        self,
        text: str,
        lang: str,
        topic: Topic,
        score: float,
        ranked: tuple[Candidate, ...],
        entities: Entities,
    ) -> Answer:
        verdict, body = topic.verdict, topic.answer
        for rule in topic.verdicts:
            if _applies(rule.when.network_kind, entities.network_kind) and _applies(
                rule.when.app, "approved" if entities.app else None
            ):
                verdict, body = rule.verdict, rule.answer
                break
        phrases = self.knowledge.phrases
        return Answer(
            question=text,
            lang=lang,
            outcome=Outcome.ANSWERED,
            text=body.get(lang).format_map(self._fields(lang, entities)),
            topic=topic.id,
            title=topic.title.get(lang),
            verdict=verdict,
            verdict_label=phrases.verdicts[verdict].get(lang),
            source=topic.source,
            source_label=phrases.source_cite.get(lang).format(source=phrases.sources[topic.source].get(lang)),
            confidence=score,
            suggestions=tuple(self._option(r, lang) for r in topic.related[:3]),
            checklist=self.handouts.option(topic.checklist, lang) if topic.checklist else None,
            entities=entities.to_dict(),
            candidates=ranked,
        )

    def _option(self, topic_id: str, lang: str) -> Option:
        return Option(topic_id, self.knowledge.topics[topic_id].title.get(lang))

    def _clarify(self, text: str, lang: str, close: list[Candidate], ranked: list[Candidate]) -> Answer:
        return Answer(
            question=text,
            lang=lang,
            outcome=Outcome.CLARIFY,
            text=self.knowledge.phrases.clarify.get(lang),
            confidence=ranked[0].score,
            options=tuple(self._option(c.topic, lang) for c in close),
            entities=self.entities.find(text).to_dict(),
            candidates=tuple(ranked),
        )

    def _decline(self, text: str, lang: str, ranked: list[Candidate]) -> Answer:
        return replace(
            self._phrase(text, lang, "decline"),
            candidates=tuple(ranked),
            suggestions=(self._option("help", lang),),
        )

    def _phrase(self, text: str, lang: str, name: str) -> Answer:
        template = getattr(self.knowledge.phrases, name).get(lang)
        fields = self._fields(lang, Entities()) | {"limit": str(self.thresholds.max_question_chars)}
        return Answer(question=text, lang=lang, outcome=Outcome.DECLINED, text=template.format_map(fields))


def _applies(wanted: str | None, actual: str | None) -> bool:
    return wanted is None or wanted == (actual or "none")
