"""Answers as Adaptive Cards (version 1.5), built as objects. Every text placed on a card is
escaped for the markdown subset Teams renders, so nothing typed becomes a link or formatting."""

from __future__ import annotations

import re
from typing import Any

from bot import Answer, Option, Outcome, Verdict
from bot.knowledge.checklists import ChecklistView

__all__ = [
    "CARD_VERSION",
    "checklist_card",
    "escape",
    "make_card",
    "nudge_card",
    "submit_action",
    "text_block",
    "to_card",
    "welcome_card",
]

CARD_VERSION = "1.5"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
COLORS = {Verdict.YES: "good", Verdict.NO: "attention", Verdict.CAUTION: "warning", Verdict.INFO: "accent"}
MARKERS = {Verdict.YES: "✅", Verdict.NO: "⛔", Verdict.CAUTION: "⚠️", Verdict.INFO: "ℹ️"}
MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
MAX_TEXT = 4000

Element = dict[str, Any]


def escape(text: str) -> str:
    """Backslash every markdown character, and keep angle brackets from reading as tags."""
    text = MARKDOWN.sub(r"\\\1", text[:MAX_TEXT])
    return text.replace("<", "&lt;").replace(">", "&gt;")


def text_block(text: str, **style: Any) -> Element:
    return {"type": "TextBlock", "text": escape(text), "wrap": True, **style}


def submit_action(title: str, data: dict[str, Any]) -> Element:
    return {
        "type": "Action.Submit",
        "title": escape(title)[:80],
        "data": {"advisor": data.pop("kind"), **data},
    }


def _option(option: Option, lang: str, reply_to: str | None = None) -> Element:
    if option.kind == "checklist":
        return submit_action(option.title, {"kind": "checklist", "c": option.id, "l": lang})
    data: dict[str, Any] = {"kind": "topic", "t": option.id, "l": lang}
    if reply_to:
        data["r"] = reply_to
    return submit_action(option.title, data)


def make_card(body: list[Element], actions: list[Element], lang: str) -> dict[str, Any]:
    card: dict[str, Any] = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": CARD_VERSION, "body": body}
    if lang == "he":
        card["rtl"] = True
    if actions:
        card["actions"] = actions
    return card


def to_card(answer: Answer, labels: dict[str, str], quote: str | None = None) -> dict[str, Any]:
    """The verdict first, then the answer and its source, then what can be done next."""
    body: list[Element] = []
    if quote:
        body.append(text_block(f"“{quote[:300]}”", isSubtle=True, size="Small"))
    if answer.verdict and answer.verdict_label:
        head = f"{MARKERS[answer.verdict]} {answer.verdict_label}" + (
            f" · {answer.title}" if answer.title else ""
        )
        body.append(text_block(head, weight="Bolder", color=COLORS[answer.verdict], size="Medium"))
    elif answer.title:
        body.append(text_block(answer.title, weight="Bolder", size="Medium"))
    body.append(text_block(answer.text))
    for item in answer.missed:
        body.append(text_block(f"✘ {item.text}", weight="Bolder", spacing="Medium"))
        body.append(text_block(item.why, isSubtle=True, spacing="None"))
    if answer.source_label:
        body.append(text_block(answer.source_label, isSubtle=True, size="Small"))
    actions: list[Element] = []
    if answer.outcome is Outcome.CLARIFY:
        actions = [_option(o, answer.lang, answer.id) for o in answer.options]
        if answer.options and answer.options[0].kind == "topic":
            actions.append(
                submit_action(labels["none_of_these"], {"kind": "none", "q": answer.id, "l": answer.lang})
            )
        return make_card(body, actions, answer.lang)
    if answer.outcome is Outcome.ANSWERED and answer.topic and not (answer.missed or answer.done):
        actions += [
            submit_action(labels["helpful"], {"kind": "helpful", "q": answer.id, "l": answer.lang}),
            submit_action(labels["not_helpful"], {"kind": "not_helpful", "q": answer.id, "l": answer.lang}),
        ]
    follow = list(answer.suggestions) + ([answer.checklist] if answer.checklist else [])
    actions += [_option(o, answer.lang) for o in follow]
    return make_card(body, actions, answer.lang)


def checklist_card(answer: Answer, steps: ChecklistView, done_label: str) -> dict[str, Any]:
    """A toggle per item and a submit action that reports what was left unticked."""
    body: list[Element] = [text_block(steps.title, weight="Bolder", size="Medium"), text_block(answer.text)]
    for section in steps.sections:
        if section.title:
            body.append(text_block(section.title, weight="Bolder", spacing="Medium"))
        for item in section.items:
            body.append(
                {
                    "type": "Input.Toggle",
                    "id": f"item:{item.id}",
                    "title": escape(item.text),
                    "value": "false",
                    "valueOn": "true",
                    "valueOff": "false",
                    "wrap": True,
                }
            )
    body.append(text_block(steps.source_label, isSubtle=True, size="Small"))
    done = submit_action(done_label, {"kind": "done", "c": steps.id, "l": steps.lang})
    return make_card(body, [done], steps.lang)


def welcome_card(about: Answer, second: Answer | None) -> dict[str, Any]:
    """Added to a chat or team: what the advisor does, in the tenant's language, or English
    with a Hebrew line when the language is not known."""
    body = [text_block(about.title or "", weight="Bolder", size="Medium"), text_block(about.text)]
    if second is not None:
        body.append(text_block(second.text, isSubtle=True))
    return make_card(body, [], about.lang)


def nudge_card(intro: str, answer: Answer) -> dict[str, Any]:
    """What to weigh about a link being shared: why it is shown, the guidance with its verdict
    for that network or app, and the checklist button."""
    head = (answer.verdict_label or "") + (f" · {answer.title}" if answer.title else "")
    marker = MARKERS[answer.verdict] + " " if answer.verdict else ""
    body = [
        text_block(intro, isSubtle=True, size="Small"),
        text_block(
            marker + head,
            weight="Bolder",
            color=COLORS.get(answer.verdict, "default") if answer.verdict else "default",
        ),
        text_block(answer.text),
    ]
    if answer.source_label:
        body.append(text_block(answer.source_label, isSubtle=True, size="Small"))
    actions = [_option(answer.checklist, answer.lang)] if answer.checklist else []
    return make_card(body, actions, answer.lang)
