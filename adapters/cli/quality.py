"""The knowledge base's quality: ``advisor kb check``, ``eval`` and ``tune``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bot import AdvisorError
from bot.evaluation import evaluate, read_labelled
from bot.knowledge.kbcheck import check_knowledge
from bot.tickets.phrases import load_ticket_phrases

from .app import app, kb_app
from .common import fail, load, load_advisor


@kb_app.command("check")
def kb_check() -> None:
    """Validate the knowledge base and policy file; warn about near-identical examples."""
    advisor = load_advisor()
    try:
        load_ticket_phrases(load().knowledge_dir, advisor.knowledge.topics)
    except AdvisorError as exc:
        raise fail(exc) from exc
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
    advisor = load_advisor()
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
    if report.verdicts:
        typer.echo(f"verdict right: {report.verdict_accuracy:.1%} of {report.verdicts} answers")
    if report.confusions:
        typer.echo("confusions (expected -> got):")
        for (expected, got), count in report.confusions.most_common():
            typer.echo(f"  {count} x {expected} -> {got}")


@app.command("tune")
def tune_(
    files: Annotated[
        list[Path],
        typer.Argument(exists=True, dir_okay=False, help="Labelled JSON lines (q, topic or null, lang)."),
    ],
    max_wrongly_declined: Annotated[
        float, typer.Option("--max-wrongly-declined", help="Share of in-scope questions allowed to decline.")
    ] = 0.02,
) -> None:
    """Choose the answer / ask-back / decline thresholds on labelled questions and print them
    with their effect (the procedure: docs/matching.md)."""
    from bot.tuning import rank_all, tune

    advisor = load_advisor()
    try:
        rows = [row for file in files for row in read_labelled(file)]
    except ValueError as exc:
        raise fail(exc) from exc
    result = tune(advisor, rank_all(advisor, rows), max_wrongly_declined)
    typer.echo(f"{len(rows)} labelled questions, matcher {load().matcher}")
    typer.echo(f"{'':18}{'accuracy':>10}{'declined right':>16}{'wrongly declined':>18}")
    for name, e in (("current", result.before), ("chosen", result.after)):
        typer.echo(f"{name:18}{e.accuracy:>10.1%}{e.decline_recall:>16.1%}{e.wrongly_declined_rate:>18.1%}")
    typer.echo("chosen thresholds (environment variables):")
    for field in ("decline_below", "decline_below_in_domain", "decline_ratio", "clarify_ratio", "sure_above"):
        typer.echo(f"  ADVISOR_THRESHOLDS__{field.upper()}={getattr(result.chosen, field)}")
    weights = getattr(advisor.matcher, "weights", None)
    if weights:
        typer.echo(f"fusion weights by language group: {json.dumps(weights)}")


@app.command("eval-conversations")
def eval_conversations(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="JSON lines: id, turns (q, topic, ...).")
    ],
    as_json: Annotated[bool, typer.Option("--json")] = False,
    misses: Annotated[bool, typer.Option("--misses", help="List the turns answered wrong.")] = False,
) -> None:
    """Score the advisor on labelled conversations: later turns, first turns, and follow-ups
    with nothing before them (which must not be answered)."""
    from bot.conversation.scoring import read_conversations, score_conversations

    try:
        conversations = read_conversations(file)
    except ValueError as exc:
        raise fail(exc) from exc
    report = score_conversations(load_advisor(), conversations)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo(f"{report.conversations} conversations")
    for name, total, rate in (
        ("later turns right", report.later, report.later_rate),
        ("first turns right", report.first, report.first_rate),
    ):
        per_lang = ", ".join(f"{lang} {rate(lang):.1%} of {n}" for lang, n in sorted(total.items()))
        typer.echo(f"{name}: {rate():.1%} of {sum(total.values())} ({per_lang})")
    typer.echo(
        f"follow-ups with no context not answered: {report.no_context_rate:.1%} of {report.no_context}"
    )
    for miss in report.misses if misses else []:
        typer.echo(f"  {miss['id']}#{miss['turn']} {miss['q']!r}: got {json.dumps(miss['got'])}")
