"""Answers as Block Kit. Every text that reaches Slack is escaped here (``&``, ``<``, ``>``), so
no answer, echoed question or label can become a mention, a link or ``<!channel>``."""

from __future__ import annotations

import json
from typing import Any

from bot import Answer, Option, Outcome, Verdict
from bot.knowledge.checklists import ChecklistView

__all__ = [
    "MAX_OPTIONS",
    "checklist_blocks",
    "escape",
    "home_view",
    "note_blocks",
    "nudge_blocks",
    "to_blocks",
    "to_fallback",
]

MAX_OPTIONS = 10  # Slack: options in one checkbox group
MAX_BUTTON = 75  # Slack: characters in a button or option label
MAX_SECTION = 3000  # Slack: characters in a section's text
MARKERS = {
    Verdict.YES: ":white_check_mark:",
    Verdict.NO: ":no_entry:",
    Verdict.CAUTION: ":warning:",
    Verdict.INFO: ":information_source:",
}
ACTION = "advisor:"

Block = dict[str, Any]


def escape(text: str) -> str:
    """Slack's three control characters, escaped once."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _short(text: str, limit: int = MAX_BUTTON) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut + "…"


def _plain(text: str, limit: int = MAX_BUTTON) -> dict[str, Any]:
    # plain_text is shown as typed, but & < > are still escaped: Slack reads them as markup.
    return {"type": "plain_text", "text": escape(_short(text, limit)), "emoji": True}


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": escape(text)[:MAX_SECTION], "verbatim": True}


def _button(label: str, action: str, value: dict[str, Any], style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": _plain(label),
        "action_id": ACTION + action,
        "value": json.dumps(value, separators=(",", ":")),
    }
    if style:
        button["style"] = style
    return button


def _option_button(option: Option, reply_to: str | None, lang: str) -> dict[str, Any]:
    if option.kind == "checklist":
        return _button(option.title, f"checklist:{option.id}", {"c": option.id, "l": lang})
    value = {"t": option.id, "l": lang} | ({"r": reply_to} if reply_to else {})
    return _button(option.title, f"topic:{option.id}", value)


def _actions(elements: list[dict[str, Any]], block_id: str) -> Block:
    return {"type": "actions", "block_id": block_id, "elements": elements[:25]}


def to_fallback(answer: Answer) -> str:
    """The notification text: the verdict and title, or the answer's first sentence."""
    if answer.verdict_label and answer.title:
        return escape(f"{answer.verdict_label}: {answer.title}")
    return escape(_short(answer.text, 150))


def to_blocks(answer: Answer, labels: dict[str, str], quote: str | None = None) -> list[Block]:
    """An answer: the verdict first with its marker, the answer, the source, then what the
    person can do next. ``quote`` echoes the question (escaped) above the answer."""
    blocks: list[Block] = []
    if quote:
        blocks.append({"type": "context", "elements": [_mrkdwn(f"“{_short(quote, 300)}”")]})
    if answer.verdict and answer.verdict_label:
        head = f"{answer.verdict_label}" + (f" · {answer.title}" if answer.title else "")
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"{MARKERS[answer.verdict]} *{escape(head)}*",
                    "verbatim": True,
                },
            }
        )
    elif answer.title:
        blocks.append({"type": "header", "text": _plain(answer.title, 150)})
    blocks.append({"type": "section", "text": _mrkdwn(answer.text)})
    if answer.source_label:
        blocks.append({"type": "context", "elements": [_mrkdwn(answer.source_label)]})
    if answer.outcome is Outcome.CLARIFY:
        buttons = [_option_button(o, answer.id, answer.lang) for o in answer.options]
        if answer.options and answer.options[0].kind == "topic":
            buttons.append(_button(labels["none_of_these"], "none", {"q": answer.id}))
        blocks.append(_actions(buttons, "options"))
        return blocks
    if answer.outcome is Outcome.ANSWERED and answer.topic and not answer.missed:
        blocks.append(
            _actions(
                [
                    _button(labels["helpful"], "helpful", {"q": answer.id}, "primary"),
                    _button(labels["not_helpful"], "not_helpful", {"q": answer.id}),
                ],
                "feedback",
            )
        )
    follow = list(answer.suggestions) + ([answer.checklist] if answer.checklist else [])
    if follow:
        blocks.append(_actions([_option_button(o, None, answer.lang) for o in follow], "next"))
    return blocks


def checklist_blocks(answer: Answer, steps: ChecklistView, done_label: str) -> list[Block]:
    """A checklist to tick: one checkbox group per section, at most ten options each (a longer
    section is split), and a button that reports what was left unticked."""
    blocks: list[Block] = [
        {"type": "header", "text": _plain(steps.title, 150)},
        {"type": "section", "text": _mrkdwn(answer.text)},
    ]
    group = 0
    for section in steps.sections:
        if section.title:
            blocks.append(
                {"type": "section", "text": {"type": "mrkdwn", "text": f"*{escape(section.title)}*"}}
            )
        for start in range(0, len(section.items), MAX_OPTIONS):
            chunk = section.items[start : start + MAX_OPTIONS]
            options = [{"text": _plain(item.text), "value": item.id} for item in chunk]
            blocks.append(
                _actions(
                    [
                        {
                            "type": "checkboxes",
                            "action_id": f"{ACTION}tick:{group}",
                            "options": options,
                        }
                    ],
                    f"tick:{group}",
                )
            )
            group += 1
    blocks.append({"type": "context", "elements": [_mrkdwn(steps.source_label)]})
    blocks.append(
        _actions([_button(done_label, "done", {"c": steps.id, "l": steps.lang}, "primary")], "done")
    )
    return blocks


def summary_blocks(answer: Answer) -> list[Block]:
    """What a finished checklist left unticked, and why each matters."""
    blocks: list[Block] = [
        {"type": "header", "text": _plain(answer.title or "", 150)},
        {"type": "section", "text": _mrkdwn(answer.text)},
    ]
    for item in answer.missed:
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f":x: *{escape(item.text)}*\n{escape(item.why)}",
                    "verbatim": True,
                },
            }
        )
    if answer.suggestions:
        blocks.append(_actions([_option_button(o, None, answer.lang) for o in answer.suggestions], "next"))
    return blocks


def home_view(about: Answer, checklists: Answer, heading: str) -> dict[str, Any]:
    """The App Home tab: what the advisor covers (with example questions) and the checklists."""
    blocks: list[Block] = [
        {"type": "header", "text": _plain(about.title or "", 150)},
        {"type": "section", "text": _mrkdwn(about.text)},
        {"type": "divider"},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{escape(heading)}*"}},
        _actions([_option_button(o, None, checklists.lang) for o in checklists.options], "checklists"),
    ]
    return {"type": "home", "blocks": blocks}


def nudge_blocks(intro: str, answer: Answer) -> list[Block]:
    """The private note about a shared link: why it is shown, the guidance with its verdict for
    that network or app, and the checklist button."""
    blocks: list[Block] = [{"type": "context", "elements": [_mrkdwn(intro)]}]
    head = f"{answer.verdict_label or ''}" + (f" · {answer.title}" if answer.title else "")
    marker = MARKERS[answer.verdict] + " " if answer.verdict else ""
    blocks.append(
        {"type": "section", "text": {"type": "mrkdwn", "text": f"{marker}*{escape(head)}*", "verbatim": True}}
    )
    blocks.append({"type": "section", "text": _mrkdwn(answer.text)})
    if answer.source_label:
        blocks.append({"type": "context", "elements": [_mrkdwn(answer.source_label)]})
    if answer.checklist:
        blocks.append(_actions([_option_button(answer.checklist, None, answer.lang)], "next"))
    return blocks


def note_blocks(text: str) -> list[Block]:
    """A short note, as plain text."""
    return [{"type": "section", "text": _plain(text, MAX_SECTION)}]
