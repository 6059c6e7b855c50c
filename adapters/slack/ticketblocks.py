"""Block Kit for tickets: the asker's confirmation modal, the owner's card and answer modal, and
the notices the asker gets. Every text people wrote is escaped; the owner's side is English."""

from __future__ import annotations

import json
from typing import Any

from bot.learned.teach import choices
from bot.tickets.phrases import TicketPhrases
from bot.tickets.records import Ticket

from .blocks import ACTION, escape

__all__ = [
    "ASK",
    "ANSWER_VIEW",
    "CONFIRM_VIEW",
    "answer_modal",
    "ask_button",
    "confirm_modal",
    "mine_blocks",
    "notice_blocks",
    "owner_card",
]

Block = dict[str, Any]
ASK = "ticket-ask"
CONFIRM_VIEW = ACTION + "ticket-confirm"
ANSWER_VIEW = ACTION + "ticket-answer"
MAX_INPUT = 3000  # Slack: characters in a plain-text input
MARK = {"open": "🟡", "assigned": "🔵", "answered": "🟢", "closed": "⚪"}


def _plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:limit] or " ", "emoji": True}


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": escape(text)[:3000], "verbatim": True}}


def _button(label: str, action: str, value: dict[str, Any], style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "text": _plain(label),
        "action_id": ACTION + action,
        "value": json.dumps(value, ensure_ascii=False, separators=(",", ":"))[:2000],
    }
    if style:
        button["style"] = style
    return button


def ask_button(
    phrases: TicketPhrases, lang: str, question: str, answer_id: str, topic: str | None, urgent: bool = False
) -> Block:
    """The "Ask the policy owner" button under a decline, an ask-back or a "Not helpful"; under
    an incident's answer, "Tell the policy owner now" (an urgent ticket)."""
    value = {"q": question[:1200], "l": lang, "i": answer_id} | ({"t": topic} if topic else {})
    label = phrases.say("report_now" if urgent else "ask_owner", lang)
    button = _button(label, ASK, value | ({"u": 1} if urgent else {}), "danger" if urgent else None)
    return {"type": "actions", "block_id": "ask-owner", "elements": [button]}


def confirm_modal(phrases: TicketPhrases, lang: str, name: str, question: str, meta: dict[str, Any]) -> Block:
    """What the owner will see (the name, the question as it will be stored, a note), to send."""
    say = phrases.say
    return {
        "type": "modal",
        "callback_id": CONFIRM_VIEW,
        "private_metadata": json.dumps(meta, ensure_ascii=False)[:3000],
        "title": _plain(say("ask_owner", lang)[:24]),
        "submit": _plain(say("send", lang)),
        "close": _plain(say("cancel", lang)),
        "blocks": [
            _section(say("preview", lang)),
            *([_section(f"🚨 *{say('urgent_label', lang)}*")] if meta.get("u") else []),
            _section(f"*{say('from_label', lang)}:* {name}"),
            {
                "type": "input",
                "block_id": "question",
                "label": _plain(say("question_label", lang)),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "max_length": MAX_INPUT,
                    **({"initial_value": question[:MAX_INPUT]} if question else {}),
                },
            },
            {
                "type": "input",
                "block_id": "note",
                "optional": True,
                "label": _plain(say("note_label", lang)),
                "element": {"type": "plain_text_input", "action_id": "value", "max_length": 1000},
            },
        ],
    }


def owner_card(ticket: Ticket) -> tuple[str, list[Block]]:
    """The ticket in the owner's channel, with what can be done next; updated in place."""
    urgent = "🚨 URGENT · " if ticket.urgent else ""
    name = (ticket.contact.name if ticket.contact else None) or "(no name)"
    head = f"{urgent}{MARK[ticket.status]} Ticket #{ticket.number} · {ticket.status}"
    lines = [f"*From:* {name} · *via* {ticket.channel} · *topic:* {ticket.topic or '-'}"]
    blocks: list[Block] = [_section(f"*{head}*"), _section(lines[0]), _section(ticket.question)]
    if ticket.note:
        blocks.append(_section(f"*Note:* {ticket.note}"))
    if ticket.answer:
        blocks.append(_section(f"*Answer ({ticket.answer_lang or '?'}):* {ticket.answer}"))
    history = " · ".join(f"{e.action} by {e.by} {e.at:%Y-%m-%d %H:%M}" for e in ticket.history)
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": escape(history)[:3000]}]})
    value = {"n": ticket.number}
    buttons: list[Block] = []
    if ticket.status in ("open", "assigned"):
        buttons.append(_button("Assign to me", "ticket-assign", value))
    if ticket.status != "closed":
        buttons.append(_button("Answer", "ticket-answer", value, "primary"))
        buttons.append(_button("Close", "ticket-close", value))
    else:
        buttons.append(_button("Reopen", "ticket-reopen", value))
    blocks.append({"type": "actions", "block_id": f"ticket-{ticket.number}", "elements": buttons})
    return escape(f"{urgent}Ticket #{ticket.number} ({ticket.status}): {ticket.question[:150]}"), blocks


def answer_modal(ticket: Ticket) -> Block:
    lang = ticket.answer_lang or ticket.lang
    options = [("en", "English"), ("he", "עברית")]
    choices = [{"text": _plain(label), "value": code} for code, label in options]
    return {
        "type": "modal",
        "callback_id": ANSWER_VIEW,
        "private_metadata": json.dumps({"n": ticket.number}),
        "title": _plain(f"Answer ticket #{ticket.number}", 24),
        "submit": _plain("Send the answer"),
        "close": _plain("Cancel"),
        "blocks": [
            _section(ticket.question),
            {
                "type": "input",
                "block_id": "answer",
                "label": _plain("Answer"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "max_length": 3000,
                    **({"initial_value": ticket.answer} if ticket.answer else {}),
                },
            },
            {
                "type": "input",
                "block_id": "lang",
                "label": _plain("Language"),
                "element": {
                    "type": "static_select",
                    "action_id": "value",
                    "options": choices,
                    "initial_option": choices[0 if lang != "he" else 1],
                },
            },
            learn_block(ticket),
        ],
    }


def learn_block(ticket: Ticket) -> Block:
    """Into knowledge: the question as an example of the ticket's topic, or the answer
    published with its verdict (docs/tickets.md)."""
    return {
        "type": "input",
        "block_id": "learn",
        "optional": True,
        "label": _plain("Into knowledge"),
        "element": {
            "type": "static_select",
            "action_id": "value",
            "placeholder": _plain("Only answer this asker"),
            "options": [{"text": _plain(label, 75), "value": value} for value, label in choices(ticket)],
        },
    }


def notice_blocks(
    phrases: TicketPhrases, ticket: Ticket, what: str, by: str | None = None
) -> tuple[str, list[Block]]:
    """What the asker is told when their ticket changes (the answer itself when answered)."""
    lang = ticket.lang
    if by is None:
        by = ticket.history[-1].by if ticket.history else ""
    text = phrases.say(what, lang, number=ticket.number, by=by, question=ticket.question[:200])
    blocks = [_section(text)]
    if what == "answered" and ticket.answer:
        blocks.append(_section(ticket.answer))
        text = f"{text} {ticket.answer}"
        rate = [
            _button(phrases.say("rate_helpful", lang), "ticket-rate", {"n": ticket.number, "r": "helpful"}),
            _button(
                phrases.say("rate_not_helpful", lang), "ticket-rate", {"n": ticket.number, "r": "not_helpful"}
            ),
        ]
        rate[0]["action_id"] += ":helpful"  # Slack wants action ids unique in a message
        rate[1]["action_id"] += ":not_helpful"
        blocks.append({"type": "actions", "block_id": f"rate-{ticket.number}", "elements": rate})
    return escape(text[:3000]), blocks


def mine_blocks(phrases: TicketPhrases, lang: str, tickets: list[Ticket]) -> tuple[str, list[Block]]:
    if not tickets:
        text = phrases.say("mine_none", lang)
        return escape(text), [_section(text)]
    lines = [phrases.say("mine", lang)]
    for t in tickets:
        status = phrases.say(f"status_{t.status}", lang)
        lines.append(f"#{t.number} · {status} · {t.question[:120]}")
        if t.answer:
            lines.append(f"    ↳ {t.answer[:300]}")
    text = "\n".join(lines)
    return escape(text[:3000]), [_section(text)]
