"""``advisor tickets``: ask the policy owner, and the owner's side (list, show, assign, answer,
close, reopen), on the same tickets as the chat channels and the dashboard."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from bot import AdvisorError
from bot.querylog.pseudonyms import Pseudonymizer
from bot.service import open_store, pseudonym_key
from bot.text import detect_lang
from bot.tickets.desk import Desk, figures, ticket_key
from bot.tickets.records import STATUSES, Contact, Draft, Ticket, TicketFilter
from bot.tickets.sql import SqlTicketStore

from .app import tickets_app
from .common import fail, load, os_user, parse_duration
from .learned import teach

REFUSALS = {
    "closed": "it is closed: reopen it first",
    "answered": "it is answered already: reopen it first",
    "empty": "an answer needs some text",
}


def open_desk() -> Desk:
    settings = load()
    try:
        store = open_store(settings)
        return Desk(
            SqlTicketStore(store.engine, store.write_lock),
            Pseudonymizer(pseudonym_key(settings, allow_generated=True)),
        )
    except AdvisorError as exc:
        raise fail(exc) from exc


def preview(draft: Draft, name: str | None) -> str:
    """Exactly what the owner will see of the request."""
    lines = [f"From:     {name or '(no name)'}", f"Question: {draft.question}"]
    if draft.note:
        lines.append(f"Note:     {draft.note}")
    if draft.urgent:
        lines.append("Urgent:   yes")
    return "\n".join(lines)


def _age(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes}m"
    return f"{minutes // 60}h" if minutes < 48 * 60 else f"{minutes // 1440}d"


def describe(ticket: Ticket, now: datetime) -> str:
    lines = [
        f"Ticket #{ticket.number} · {ticket.status}{' · URGENT' if ticket.urgent else ''}",
        f"Opened:   {ticket.opened_at:%Y-%m-%d %H:%M} UTC ({_age(ticket.age(now))} ago) via {ticket.channel}",
        f"From:     {(ticket.contact.name if ticket.contact else None) or '(no name)'}",
        f"Topic:    {ticket.topic or '-'}",
        f"Question: {ticket.question}",
    ]
    if ticket.note:
        lines.append(f"Note:     {ticket.note}")
    if ticket.assignee:
        lines.append(f"Assignee: {ticket.assignee}")
    if ticket.answer:
        lines.append(f"Answer ({ticket.answer_lang or '?'}): {ticket.answer}")
    lines.extend(f"  {e.at:%Y-%m-%d %H:%M} {e.action} by {e.by}" for e in ticket.history)
    return "\n".join(lines)


@tickets_app.command("ask")
def tickets_ask(
    question: Annotated[str, typer.Argument(help="The question for the policy owner.")],
    note: Annotated[str | None, typer.Option("--note", help="Anything the owner should know.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Your name, as the owner will see it.")] = None,
    user: Annotated[str | None, typer.Option("--user", help="Who asks (default: your user).")] = None,
    topic: Annotated[str | None, typer.Option("--topic", help="The topic it is about.")] = None,
    urgent: Annotated[bool, typer.Option("--urgent", help="An incident: handle it first.")] = False,
    as_written: Annotated[
        bool, typer.Option("--as-written", help="Send addresses and numbers as written, not masked.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Send without asking to confirm.")] = False,
) -> None:
    """Put a question to the policy owner: shows what the owner will see, then sends it."""
    desk = open_desk()
    asker = user or os_user()
    draft = desk.prepare(
        key=ticket_key("cli", asker, uuid.uuid4().hex),
        channel="cli",
        question=question,
        user_id=asker,
        contact=Contact("cli", asker, name=name) if name else None,
        note=note,
        topic=topic,
        urgent=urgent,
        verbatim=as_written,
    )
    if draft is None:
        raise fail(ValueError("the question is empty"))
    typer.echo("The policy owner will see:\n" + preview(draft, draft.contact.name if draft.contact else None))
    if not yes and not typer.confirm("Send it?", default=False):
        typer.echo("Nothing was sent.")
        raise typer.Exit(1)
    ticket, _ = desk.open(draft)
    typer.echo(
        f"Sent: ticket #{ticket.number} ({ticket.status}). `advisor tickets show {ticket.number}` follows it."
    )


@tickets_app.command("list")
def tickets_list(
    status: Annotated[
        str | None, typer.Option("--status", help="open, assigned, answered or closed; comma-separated.")
    ] = None,
    topic: Annotated[str | None, typer.Option("--topic", help="Only this topic.")] = None,
    older_than: Annotated[str | None, typer.Option("--older-than", help="Opened before, such as 2d.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=5000)] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document.")] = False,
) -> None:
    """Tickets, urgent first, then unfinished, then the oldest."""
    statuses = frozenset(s.strip() for s in (status or "").split(",") if s.strip())
    if not statuses <= set(STATUSES):
        raise typer.BadParameter(f"--status takes {', '.join(STATUSES)}")
    now = datetime.now(UTC)
    before = now - parse_duration(older_than) if older_than else None
    desk = open_desk()
    found = desk.list(TicketFilter(statuses=statuses, topic=topic, opened_before=before, limit=limit))
    if as_json:
        doc = {"tickets": [t.to_dict() for t in found], "figures": figures(found).to_dict()}
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    if not found:
        typer.echo("No tickets.")
        return
    for t in found:
        mark = "!" if t.urgent else " "
        age = _age(t.age(now))
        typer.echo(f"{mark}#{t.number:<5} {t.status:<9} {age:>5}  {t.topic or '-':<24} {t.question[:60]}")


def _one(desk: Desk, number: int) -> Ticket:
    ticket = desk.get(number)
    if ticket is None:
        raise fail(LookupError(f"there is no ticket #{number}"))
    return ticket


@tickets_app.command("show")
def tickets_show(
    number: Annotated[int, typer.Argument(help="The ticket's number.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """One ticket with its history."""
    ticket = _one(open_desk(), number)
    if as_json:
        typer.echo(json.dumps(ticket.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(describe(ticket, datetime.now(UTC)))


def _act(
    number: int, action: str, by: str | None, text: str | None = None, lang: str | None = None
) -> Ticket:
    desk = open_desk()
    outcome = desk.act(number, action, by or os_user(), text, lang)
    if outcome is None:
        raise fail(LookupError(f"there is no ticket #{number}"))
    if outcome.refused:
        raise fail(ValueError(f"ticket #{number}: {REFUSALS.get(outcome.refused, outcome.refused)}"))
    done = "done" if outcome.changed else "already so"
    typer.echo(f"Ticket #{number}: {outcome.ticket.status} ({done}).")
    return outcome.ticket


BY = typer.Option("--by", help="Who does it (default: your user).")


@tickets_app.command("assign")
def tickets_assign(number: int, by: Annotated[str | None, BY] = None) -> None:
    """Take a ticket."""
    _act(number, "assign", by)


@tickets_app.command("answer")
def tickets_answer(
    number: int,
    text: Annotated[str, typer.Argument(help="The answer the asker gets.")],
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="en or he: the answer's and any refusal's (default: the text's)."),
    ] = None,
    by: Annotated[str | None, BY] = None,
    add_example: Annotated[
        str | None, typer.Option("--add-example", help="Teach: the question is an example of this topic.")
    ] = None,
    publish: Annotated[bool, typer.Option("--publish", help="Teach: serve this answer from now on.")] = False,
    variant: Annotated[
        list[str] | None,
        typer.Option("--variant", help="Another way to ask it (repeatable; with --publish)."),
    ] = None,
    verdict: Annotated[
        str | None, typer.Option("--verdict", help="yes, no, caution or info (with --publish).")
    ] = None,
    topic_id: Annotated[
        str | None, typer.Option("--topic-id", help="The entry's topic id (default: owner-NUMBER).")
    ] = None,
    translation: Annotated[
        str | None, typer.Option("--translation", help="The answer in the other language (with --publish).")
    ] = None,
) -> None:
    """Answer a ticket; the asker gets it where they asked. With --add-example or --publish the
    advisor learns from it too (docs/tickets.md, "Into knowledge")."""
    if lang is not None and lang not in ("en", "he"):
        raise typer.BadParameter("--lang is en or he")
    if not publish and (variant or verdict or topic_id or translation):
        raise fail(ValueError("--variant, --verdict, --topic-id and --translation go with --publish"))
    if publish and verdict is None:
        raise fail(ValueError("--publish needs --verdict (yes, no, caution or info)"))
    who = by or os_user()
    answer_lang = lang or detect_lang(text)
    ticket = _act(number, "answer", who, text, answer_lang)
    if add_example is not None or publish:
        teach(
            ticket,
            text,
            answer_lang,
            who,
            example_of=add_example,
            publish=publish,
            variants=variant or [],
            verdict=verdict,
            topic_id=topic_id,
            translation=translation,
        )


@tickets_app.command("close")
def tickets_close(number: int, by: Annotated[str | None, BY] = None) -> None:
    """Close a ticket."""
    _act(number, "close", by)


@tickets_app.command("reopen")
def tickets_reopen(number: int, by: Annotated[str | None, BY] = None) -> None:
    """Reopen an answered or closed ticket."""
    _act(number, "reopen", by)
