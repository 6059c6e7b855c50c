"""Adaptive Cards (1.5) for tickets: the asker's "Ask the policy owner" action and confirmation
form, the notices they get, their list, and the owner's card with its answer form. Every text
people wrote is escaped; the owner's side is English, like Slack's."""

from __future__ import annotations

from typing import Any

from bot.learned.teach import choices
from bot.tickets.phrases import TicketPhrases
from bot.tickets.records import Ticket

from .cards import make_card, submit_action, text_block

__all__ = [
    "MAX_INPUT",
    "ask_action",
    "ask_card",
    "confirm_card",
    "mine_card",
    "notice_card",
    "owner_card",
    "sent_card",
]

Element = dict[str, Any]
MAX_INPUT = 2000
MARK = {"open": "🟡", "assigned": "🔵", "answered": "🟢", "closed": "⚪"}


def ask_action(
    phrases: TicketPhrases, lang: str, question: str, answer_id: str, topic: str | None, urgent: bool = False
) -> Element:
    """ "Ask the policy owner" under a decline or after "Not helpful" / "None of these"; under an
    incident's answer, "Tell the policy owner now" (an urgent ticket)."""
    data: dict[str, Any] = {"kind": "ticket-ask", "q": question[:1200], "l": lang, "i": answer_id}
    if topic:
        data["t"] = topic
    if urgent:
        data["u"] = 1
    action = submit_action(phrases.say("report_now" if urgent else "ask_owner", lang), data)
    if urgent:
        action["style"] = "destructive"
    return action


def ask_card(phrases: TicketPhrases, lang: str, text: str, answer_id: str) -> dict[str, Any]:
    """A line of text with "Ask the policy owner" under it."""
    return make_card([text_block(text)], [ask_action(phrases, lang, "", answer_id, None)], lang)


def confirm_card(
    phrases: TicketPhrases, lang: str, name: str, question: str, meta: dict[str, Any]
) -> dict[str, Any]:
    """What the owner will see (the name, the question as it will be stored, a note), to send.
    ``meta`` goes back with the submit: the random key, language, topic, answer, urgency."""
    say = phrases.say
    body: list[Element] = [text_block(say("preview", lang), weight="Bolder")]
    if meta.get("u"):
        body.append(text_block(f"🚨 {say('urgent_label', lang)}", color="attention", weight="Bolder"))
    body += [
        text_block(f"{say('from_label', lang)}: {name}"),
        {
            "type": "Input.Text",
            "id": "question",
            "label": say("question_label", lang),
            "isMultiline": True,
            "maxLength": MAX_INPUT,
            "value": question[:MAX_INPUT],
        },
        {
            "type": "Input.Text",
            "id": "note",
            "label": say("note_label", lang),
            "isMultiline": True,
            "maxLength": 1000,
        },
    ]
    actions = [
        submit_action(say("send", lang), {"kind": "ticket-send", **meta}),
        submit_action(say("cancel", lang), {"kind": "ticket-cancel", "l": lang}),
    ]
    return make_card(body, actions, lang)


def sent_card(phrases: TicketPhrases, ticket: Ticket, sent: str) -> dict[str, Any]:
    """The confirmation form once sent: what the owner sees, and the ticket's number."""
    lang = ticket.lang
    body = [text_block(sent, weight="Bolder")]
    if ticket.urgent:
        body.append(text_block(f"🚨 {phrases.say('urgent_label', lang)}", color="attention"))
    name = ticket.contact.name if ticket.contact else None
    if name:
        body.append(text_block(f"{phrases.say('from_label', lang)}: {name}"))
    body.append(text_block(f"{phrases.say('question_label', lang)}: {ticket.question}"))
    if ticket.note:
        body.append(text_block(f"{phrases.say('note_label', lang)}: {ticket.note}"))
    return make_card(body, [], lang)


def notice_card(phrases: TicketPhrases, ticket: Ticket, what: str, by: str | None = None) -> dict[str, Any]:
    """What the asker is told when their ticket changes: with the answer, and the buttons to
    rate it, when answered."""
    lang = ticket.lang
    if by is None:
        by = ticket.history[-1].by if ticket.history else ""
    text = phrases.say(what, lang, number=ticket.number, by=by, question=ticket.question[:200])
    body = [text_block(text)]
    actions: list[Element] = []
    if what == "answered" and ticket.answer:
        body.append(text_block(ticket.answer, weight="Bolder"))
        for rating in ("helpful", "not_helpful"):
            data = {"kind": "ticket-rate", "n": ticket.number, "r": rating, "l": lang}
            actions.append(submit_action(phrases.say(f"rate_{rating}", lang), data))
    return make_card(body, actions, lang)


def mine_card(phrases: TicketPhrases, lang: str, tickets: list[Ticket]) -> dict[str, Any]:
    if not tickets:
        return make_card([text_block(phrases.say("mine_none", lang))], [], lang)
    body = [text_block(phrases.say("mine", lang), weight="Bolder")]
    for t in tickets:
        status = phrases.say(f"status_{t.status}", lang)
        body.append(text_block(f"#{t.number} · {status} · {t.question[:120]}", spacing="Medium"))
        if t.answer:
            body.append(text_block(f"↳ {t.answer[:300]}", isSubtle=True, spacing="None"))
    return make_card(body, [], lang)


def owner_card(ticket: Ticket) -> dict[str, Any]:
    """The ticket in the owners' channel, with what can be done next; updated in place. Answer
    shows a form (the answer and its language) inside the card."""
    urgent = "🚨 URGENT · " if ticket.urgent else ""
    name = (ticket.contact.name if ticket.contact else None) or "(no name)"
    head = f"{urgent}{MARK[ticket.status]} Ticket #{ticket.number} · {ticket.status}"
    body: list[Element] = [
        text_block(head, weight="Bolder", size="Medium", color="attention" if ticket.urgent else "default"),
        text_block(f"From: {name} · via {ticket.channel} · topic: {ticket.topic or '-'}", isSubtle=True),
        text_block(ticket.question),
    ]
    if ticket.note:
        body.append(text_block(f"Note: {ticket.note}"))
    if ticket.answer:
        body.append(text_block(f"Answer ({ticket.answer_lang or '?'}): {ticket.answer}", weight="Bolder"))
    history = " · ".join(f"{e.action} by {e.by} {e.at:%Y-%m-%d %H:%M}" for e in ticket.history)
    body.append(text_block(history, isSubtle=True, size="Small"))
    number = ticket.number
    actions: list[Element] = []
    if ticket.status in ("open", "assigned"):
        actions.append(submit_action("Assign to me", {"kind": "ticket-assign", "n": number}))
    if ticket.status != "closed":
        actions.append(_answer_form(ticket))
        actions.append(submit_action("Close", {"kind": "ticket-close", "n": number}))
    else:
        actions.append(submit_action("Reopen", {"kind": "ticket-reopen", "n": number}))
    return make_card(body, actions, "en")


def _answer_form(ticket: Ticket) -> Element:
    lang = ticket.answer_lang or ticket.lang
    form = make_card(
        [
            {
                "type": "Input.Text",
                "id": "answer",
                "label": "Answer",
                "isMultiline": True,
                "maxLength": MAX_INPUT,
                "value": ticket.answer or "",
            },
            {
                "type": "Input.ChoiceSet",
                "id": "lang",
                "label": "Language",
                "value": "he" if lang == "he" else "en",
                "choices": [{"title": "English", "value": "en"}, {"title": "עברית", "value": "he"}],
            },
            {
                "type": "Input.ChoiceSet",
                "id": "learn",
                "label": "Into knowledge",
                "value": "",
                "choices": [
                    {"title": "Only answer this asker", "value": ""},
                    *({"title": label, "value": value} for value, label in choices(ticket)),
                ],
            },
        ],
        [submit_action("Send the answer", {"kind": "ticket-answer", "n": ticket.number})],
        "en",
    )
    del form["$schema"], form["version"]
    return {"type": "Action.ShowCard", "title": "Answer", "card": form}
