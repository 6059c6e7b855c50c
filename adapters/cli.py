"""The ``advisor`` command: ask, chat, check the knowledge base, evaluate."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot import Advisor, AdvisorError, Query, load_settings
from bot.evaluation import evaluate, read_labelled
from bot.kbcheck import check_knowledge

from .console import Console, to_text

app = typer.Typer(
    help="Advisor: using social networks safely for business.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
kb_app = typer.Typer(help="Check the knowledge base.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")


def _advisor() -> Advisor:
    try:
        return Advisor.from_settings(load_settings())
    except AdvisorError as exc:
        typer.secho(f"advisor: {exc}", err=True, fg="red")
        raise typer.Exit(2) from exc


def _stdin_lines() -> list[str | None]:
    """Lines of standard input; a line that is not UTF-8 becomes None and is reported."""
    lines: list[str | None] = []
    for raw in sys.stdin.buffer:
        try:
            lines.append(raw.decode("utf-8").rstrip("\r\n"))
        except UnicodeDecodeError:
            lines.append(None)
    return lines


@app.command()
def ask(
    question: Annotated[
        str | None, typer.Argument(help="The question; omit with --json to read lines from stdin.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per question.")] = False,
) -> None:
    """Answer a question (or, with --json and no question, every line of standard input)."""
    advisor = _advisor()
    if question is not None:
        answer = advisor.handle(Query(question, channel="cli"))
        typer.echo(
            json.dumps(answer.to_dict(), ensure_ascii=False)
            if as_json
            else to_text(answer, sys.stdout.isatty())
        )
        return
    if not as_json:
        typer.secho("advisor: give a question, or use --json to read questions from stdin", err=True)
        raise typer.Exit(2)
    for number, line in enumerate(_stdin_lines(), 1):
        if line is None:
            record: dict[str, object] = {"line": number, "error": "this line is not valid UTF-8 text"}
        else:
            record = advisor.handle(Query(line, channel="cli")).to_dict()
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        sys.stdout.flush()


@app.command()
def chat() -> None:
    """Talk to the advisor in the terminal (type a number to pick an offered option)."""
    Console(_advisor(), input, sys.stdout, color=sys.stdout.isatty()).run()


@app.command()
def checklist(
    name: Annotated[str, typer.Argument(help="A checklist's id, name or alias, in either language.")] = "",
    list_all: Annotated[bool, typer.Option("--list", help="List the checklists.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the checklist as data.")] = False,
    tick: Annotated[bool, typer.Option("--tick", help="Tick through it item by item.")] = False,
) -> None:
    """Print a checklist (or tick through it); an unknown name lists the checklists."""
    advisor = _advisor()
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


@kb_app.command("check")
def kb_check() -> None:
    """Validate the knowledge base and policy file; warn about near-identical examples."""
    advisor = _advisor()
    findings = check_knowledge(advisor.knowledge)
    for finding in findings:
        typer.echo(str(finding), err=finding.level == "error")
    errors = sum(f.level == "error" for f in findings)
    knowledge = advisor.knowledge
    typer.echo(
        f"{len(knowledge.topics)} topics, {len(knowledge.checklists)} checklists, "
        f"{errors} error(s), {len(findings) - errors} warning(s)"
    )
    if errors:
        raise typer.Exit(1)


@app.command("eval")
def eval_(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="JSON lines: q, topic (or null), lang.")
    ],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Score the advisor on a labelled question set."""
    advisor = _advisor()
    try:
        rows = read_labelled(file)
    except ValueError as exc:
        typer.secho(f"advisor: {exc}", err=True, fg="red")
        raise typer.Exit(2) from exc
    report = evaluate(advisor, rows)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    for lang in sorted(report.total):
        typer.echo(
            f"topic accuracy ({lang}): {report.accuracy(lang):.1%} of {report.total[lang]}"
            f" (asked back on {report.clarified[lang]})"
        )
    typer.echo(
        f"decline precision: {report.decline_precision:.1%}  recall: {report.decline_recall:.1%}"
        f" of {report.should_decline}"
    )
    typer.echo(f"in-scope questions wrongly declined: {report.wrongly_declined_rate:.1%}")
    if report.confusions:
        typer.echo("confusions (expected -> got):")
        for (expected, got), count in report.confusions.most_common():
            typer.echo(f"  {count} x {expected} -> {got}")


def main() -> None:
    """The command's one boundary: anything unexpected is reported in a line, not a traceback."""
    try:
        app()
    except Exception as exc:  # noqa: BLE001 - the adapter's single catch-all
        print(f"advisor: internal error ({type(exc).__name__}): {exc}", file=sys.stderr)
        sys.exit(1)
