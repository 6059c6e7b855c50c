"""What a follow-up is told: the previous topic's reasoning ("why?"), its safe alternative
("what instead?"), more on it with the related topics ("tell me more"), or, with nothing before
it, an ask-back with the topics it could be about."""

from __future__ import annotations

from dataclasses import replace

from ..answer import Answer, Option, Outcome
from ..knowledge.knowledge import Knowledge, Topic
from ..matching.entities import Entities

__all__ = ["ask_back", "explain"]


def explain(answer: Answer, topic: Topic, kind: str, knowledge: Knowledge, fields: dict[str, str]) -> Answer:
    """``answer`` (the topic answered again for the follow-up's network or app) told as the
    reasoning, the alternative or more; a topic without that text keeps its answer."""
    lang = answer.lang
    reason = topic.instead if kind == "instead" else topic.why
    if reason is None:
        return answer
    text = reason.get(lang).format_map(fields)
    if kind == "more" and knowledge.conversation is not None:
        intro = knowledge.conversation.more_intro.get(lang).format(title=topic.title.get(lang))
        text = f"{intro} {text}"
    phrases = knowledge.phrases
    cite = phrases.source_cite.get(lang).format(source=phrases.sources[reason.source].get(lang))
    return replace(answer, text=text, source=reason.source, source_label=cite)


def ask_back(text: str, lang: str, entities: Entities, knowledge: Knowledge, limit: int) -> Answer:
    """A follow-up with nothing to follow: "about what?", first with the topics whose verdict
    turns on what it names (the network or the app), then the usual ones."""
    cues = knowledge.conversation
    assert cues is not None
    slots = {"network"} if entities.network else set()
    slots |= {"app"} if entities.app else set()
    conditions = {"network": "network_kind", "app": "app"}
    decisive = [
        t.id
        for t in knowledge.topics.values()
        if any(getattr(rule.when, conditions[slot]) is not None for rule in t.verdicts for slot in slots)
    ]
    ids = list(dict.fromkeys([*decisive, *cues.ask_back_topics]))[:limit]
    return Answer(
        question=text,
        lang=lang,
        outcome=Outcome.CLARIFY,
        text=cues.ask_back.get(lang),
        options=tuple(Option(i, knowledge.topics[i].title.get(lang)) for i in ids),
        entities=entities.to_dict(),
    )
