"""What the policy owner taught the advisor from tickets: ``advisor kb learned`` (who taught
what, when), ``advisor kb export-learned`` (as knowledge-base files) and the teaching done by
``advisor tickets answer --add-example | --publish``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bot import AdvisorError
from bot.knowledge.knowledge import load_knowledge
from bot.learned.export import export_learned
from bot.learned.records import Entry, Example
from bot.learned.sql import SqlLearnedStore
from bot.learned.teach import Lesson, Teacher
from bot.service import open_store
from bot.text import detect_lang
from bot.tickets.records import Ticket

from .app import kb_app
from .common import fail, load, os_user


def open_teacher() -> Teacher:
    settings = load()
    try:
        store = open_store(settings)
        knowledge = load_knowledge(settings.knowledge_dir, settings.policy_file)
    except AdvisorError as exc:
        raise fail(exc) from exc
    return Teacher(SqlLearnedStore(store.engine, store.write_lock), knowledge)


def teach(
    ticket: Ticket,
    answer: str,
    lang: str,
    by: str,
    *,
    example_of: str | None,
    publish: bool,
    variants: list[str],
    verdict: str | None,
    topic_id: str | None,
    translation: str | None,
) -> None:
    """After the answer is stored: the ticket's question as an example, or the answer as an
    entry of its own; a refusal says why in the answer's language, ``lang``, and exits 2 (the
    answer stays)."""
    teacher = open_teacher()
    if example_of is not None:
        lesson = teacher.add_example(example_of, ticket.question, by, lang=ticket.lang, ticket=ticket.number)
        report(teacher, lesson, f"added as an example of {example_of}", ticket.number, lang)
    if publish and verdict is not None:
        questions: dict[str, list[str]] = {"en": [], "he": []}
        for text in [ticket.question, *variants]:
            questions[detect_lang(text)].append(text)
        texts = {lang: answer}
        if translation:
            texts["he" if lang == "en" else "en"] = translation
        lesson = teacher.publish(topic_id, questions, texts, verdict, by, ticket=ticket.number)
        what = f"published as {lesson.item.topic}" if isinstance(lesson.item, Entry) else "published"
        report(teacher, lesson, what, ticket.number, lang)


def report(teacher: Teacher, lesson: Lesson, what: str, number: int, lang: str) -> None:
    if lesson.refused:
        raise fail(ValueError(teacher.not_learned(lesson, number, lang)))
    typer.echo(f"Ticket #{number}: {what}{'' if lesson.changed else ' (already so)'}.")


def describe(item: Example | Entry) -> str:
    """One line: the id, when, who, from which ticket, what, and its withdrawal."""
    ticket = f"#{item.ticket}" if item.ticket is not None else "-"
    head = f"[{item.id}] {item.at:%Y-%m-%d %H:%M} {item.by} {ticket}"
    if isinstance(item, Entry):
        questions = [q for texts in item.variants.values() for q in texts]
        what = f"published {item.topic} ({item.verdict}): {questions[0]} (+{len(questions) - 1})"
    else:
        what = f"example of {item.topic}: {item.text}"
    gone = item.withdrawn
    return f"{head} {what}" + (f" (withdrawn {gone.at:%Y-%m-%d %H:%M} by {gone.by})" if gone else "")


@kb_app.command("learned")
def kb_learned(as_json: Annotated[bool, typer.Option("--json", help="One JSON document.")] = False) -> None:
    """What the policy owner taught the advisor: its id, who, when, from which ticket, what;
    and what was withdrawn, by whom and when."""
    items = open_teacher().learned(with_withdrawn=True).items()
    if as_json:
        typer.echo(json.dumps({"learned": [i.to_dict() for i in items]}, ensure_ascii=False, indent=2))
        return
    if not items:
        typer.echo("Nothing learned yet.")
    for item in items:
        typer.echo(describe(item))


@kb_app.command("unlearn")
def kb_unlearn(
    item_id: Annotated[int, typer.Argument(metavar="ID", help="Its id, as `advisor kb learned` shows.")],
    by: Annotated[str | None, typer.Option("--by", help="Who withdraws it (default: your user).")] = None,
    lang: Annotated[str, typer.Option("--lang", help="en or he: the language of a refusal.")] = "en",
) -> None:
    """Withdraw a learned example or entry: every replica stops serving it within seconds and
    export-learned leaves it out; `advisor kb learned` keeps it, marked withdrawn. An unknown
    id, or one withdrawn already, exits 2."""
    if lang not in ("en", "he"):
        raise typer.BadParameter("--lang is en or he")
    teacher = open_teacher()
    lesson = teacher.withdraw(item_id, by or os_user())
    if lesson.refused or lesson.item is None:
        raise fail(LookupError(f"#{item_id}: {teacher.message(lesson, lang)}"))
    typer.echo(f"Withdrawn: {describe(lesson.item)}.")


@kb_app.command("export-learned")
def kb_export_learned(
    directory: Annotated[
        Path | None, typer.Argument(help="Where to write (default: the knowledge base's folder).")
    ] = None,
) -> None:
    """Write what was learned as knowledge-base files (topics/, examples/) to review and commit;
    `advisor kb check` validates them."""
    teacher = open_teacher()
    target = directory or load().knowledge_dir
    try:
        written = export_learned(teacher.base, teacher.learned(), target)
    except (AdvisorError, OSError) as exc:
        raise fail(exc) from exc
    for path in written:
        typer.echo(str(path))
    typer.echo(f"{len(written)} file(s) written under {target}.")
