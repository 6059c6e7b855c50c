"""Checklists handed out: asked for by name, by a request in words ("a checklist for joining a
group"), or sent back with the items ticked, for what was missed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from .answer import Answer, Option, Outcome
from .knowledge.checklists import Checklist, ChecklistIndex, ChecklistView
from .knowledge.checklists import view as checklist_view
from .knowledge.knowledge import Knowledge
from .matching.lexical import LexicalMatcher
from .text import clean, hebrew_variants, is_hebrew, tokens

__all__ = ["Handouts", "checklist_documents", "cite"]


def checklist_documents(knowledge: Knowledge) -> dict[str, list[str]]:
    """What a checklist request in words is matched against: names, aliases and the example
    questions of the topics each checklist serves."""
    return {
        c.id: [
            c.title.en,
            c.title.he,
            *c.aliases.all(),
            *(e for t in c.topics for e in knowledge.topics[t].examples.all()),
        ]
        for c in knowledge.checklists.values()
    }


def cite(knowledge: Knowledge, sources: list[str], lang: str) -> str:
    """ "Source: ..." for the parts of the guidance named, in ``lang``."""
    phrases = knowledge.phrases
    names = "; ".join(phrases.sources[s].get(lang) for s in sources)  # type: ignore[index]
    return phrases.source_cite.get(lang).format(source=names)


class Handouts:
    def __init__(self, knowledge: Knowledge, concepts: Mapping[str, str]) -> None:
        """``concepts``: the synonym table, so a request in other words finds its checklist."""
        self.knowledge = knowledge
        self.index = ChecklistIndex(knowledge.checklists.values())
        self._matcher = LexicalMatcher(checklist_documents(knowledge), concepts=concepts)
        names = {
            (tuple(tokens(name)), c.id)
            for c in knowledge.checklists.values()
            for name in (c.title.en, c.title.he, *c.aliases.all())
            if tokens(name)
        }
        self._names = sorted(names, key=lambda n: -len(n[0]))
        """Every checklist's names as words, the longest first."""

    def find(self, name: str) -> Checklist | None:
        return self.index.find(name)

    def option(self, checklist_id: str, lang: str) -> Option:
        return Option(checklist_id, self.knowledge.checklists[checklist_id].title.get(lang), "checklist")

    def asked(self, text: str, lang: str, about: str | None = None) -> Answer:
        """A request in words: the checklist it names ("a checklist for the campaign",
        "רשימת בדיקה לקמפיין"), else the checklist of the topic the conversation is ``about``,
        else the closest one, or the list of all of them when nothing fits."""
        found = self._named_in(text)
        topic = self.knowledge.topics.get(about or "")
        if not found and topic is not None and topic.checklist:
            found = topic.checklist
        if not found:
            ranked = self._matcher.rank(text, limit=1)
            found = ranked[0].topic if ranked and ranked[0].score > 0.0 else ""
        return replace(self.named(found, lang), question=text)

    def _named_in(self, text: str) -> str:
        """The checklist whose name or alias the text holds (a Hebrew prefix allowed)."""
        words = tokens(text)
        forms = [{w, *(hebrew_variants(w, min_rest=2) if is_hebrew(w) else ())} for w in words]
        for name, checklist in self._names:
            for start in range(len(words) - len(name) + 1):
                if name[0] in forms[start] and tuple(words[start + 1 : start + len(name)]) == name[1:]:
                    return checklist
        return ""

    def named(self, name: str, lang: str, ticked: frozenset[str] | None = None) -> Answer:
        """The checklist ``name`` (an id or a title), or the list of all of them; with
        ``ticked``, what was missed of it."""
        checklist = self.index.find(name)
        phrases = self.knowledge.phrases
        if checklist is None:
            phrase = phrases.checklist_unknown if name.strip() else phrases.checklist_list
            return Answer(
                question=name,
                lang=lang,
                outcome=Outcome.CLARIFY,
                text=phrase.get(lang).format(name=clean(name)[:80]),
                options=tuple(self.option(c, lang) for c in self.knowledge.checklists),
            )
        steps = checklist_view(checklist, lang, cite(self.knowledge, list(checklist.sources), lang))
        answer = Answer(
            question=name,
            lang=lang,
            outcome=Outcome.ANSWERED,
            text=phrases.checklist_intro.get(lang),
            topic=checklist.topics[0],
            title=steps.title,
            source=checklist.sources[0],
            source_label=steps.source_label,
            confidence=1.0,
            suggestions=tuple(
                Option(t, self.knowledge.topics[t].title.get(lang)) for t in checklist.topics[:3]
            ),
            checklist=self.option(checklist.id, lang),
            steps=steps,
        )
        return answer if ticked is None else self._finished(answer, steps, ticked)

    def _finished(self, shown: Answer, steps: ChecklistView, ticked: frozenset[str]) -> Answer:
        items = steps.items()
        missed = tuple(item for item in items if item.id not in ticked)
        done = tuple(item.id for item in items if item.id in ticked)
        phrases = self.knowledge.phrases
        template = phrases.checklist_missed if missed else phrases.checklist_done
        text = template.get(shown.lang).format(count=len(missed), total=len(items))
        return replace(shown, text=text, steps=None, missed=missed, done=done)
