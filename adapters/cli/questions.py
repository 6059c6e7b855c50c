"""Asking from the command line: ``advisor ask``, ``chat`` and ``checklist``."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from bot import Query

from ..console import Console, to_text
from .app import app
from .common import load_advisor, os_user, start_service, stdin_lines


@app.command()
def ask(
    question: Annotated[
        str | None, typer.Argument(help="The question; omit with --json to read lines from stdin.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per question.")] = False,
    user: Annotated[str | None, typer.Option("--user", help="Who asks (logged as a pseudonym).")] = None,
    conversation: Annotated[
        str | None,
        typer.Option(
            "--conversation",
            help="A conversation id: each call is a turn of it, and follow-ups keep its context.",
        ),
    ] = None,
) -> None:
    """Answer a question (or, with --json and no question, every line of standard input; with
    --conversation the lines are consecutive turns of that conversation)."""
    if question is None and not as_json:
        typer.secho("advisor: give a question, or use --json to read questions from stdin", err=True)
        raise typer.Exit(2)
    who = user or os_user()
    with start_service() as service:
        if question is not None:
            answer = service.advisor.handle(
                Query(question, channel="cli", user_id=who, conversation_id=conversation)
            )
            text = (
                json.dumps(answer.to_dict(), ensure_ascii=False)
                if as_json
                else to_text(answer, sys.stdout.isatty())
            )
            typer.echo(text)
            return
        for number, line in enumerate(stdin_lines(), 1):
            if line is None:
                record: dict[str, object] = {"line": number, "error": "this line is not valid UTF-8 text"}
            else:
                query = Query(line, channel="cli", user_id=who, conversation_id=conversation)
                record = service.advisor.handle(query).to_dict()
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            sys.stdout.flush()


@app.command()
def chat() -> None:
    """Talk to the advisor in the terminal (type a number to pick an offered option)."""
    with start_service() as service:
        Console(service.advisor, input, sys.stdout, color=sys.stdout.isatty(), user=os_user()).run()


@app.command()
def checklist(
    name: Annotated[str, typer.Argument(help="A checklist's id, name or alias, in either language.")] = "",
    list_all: Annotated[bool, typer.Option("--list", help="List the checklists.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the checklist as data.")] = False,
    tick: Annotated[bool, typer.Option("--tick", help="Tick through it item by item.")] = False,
) -> None:
    """Print a checklist (or tick through it); an unknown name lists the checklists."""
    advisor = load_advisor()
    answer = advisor.handle(Query("", channel="cli", checklist="" if list_all else name))
    if as_json:
        if answer.steps:
            typer.echo(json.dumps(answer.steps.to_dict(), ensure_ascii=False, indent=2))
        else:
            options = [{"id": o.id, "title": o.title} for o in answer.options]
            typer.echo(json.dumps({"checklists": options}, ensure_ascii=False, indent=2))
    elif tick and answer.steps:
        console = Console(advisor, input, sys.stdout, color=sys.stdout.isatty())
        typer.echo(to_text(console.tick_through(answer.steps), sys.stdout.isatty()))
    else:
        typer.echo(to_text(answer, sys.stdout.isatty()))
    if answer.steps is None and name and not list_all:
        raise typer.Exit(1)
