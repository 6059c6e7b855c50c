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
from .common import fail, load


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
    entry of its own; a refusal says why and exits 2 (the answer stays)."""
    teacher = open_teacher()
    if example_of is not None:
        lesson = teacher.add_example(example_of, ticket.question, by, lang=ticket.lang, ticket=ticket.number)
        report(lesson, f"added as an example of {example_of}", ticket.number)
    if publish and verdict is not None:
        questions: dict[str, list[str]] = {"en": [], "he": []}
        for text in [ticket.question, *variants]:
            questions[detect_lang(text)].append(text)
        texts = {lang: answer}
        if translation:
            texts["he" if lang == "en" else "en"] = translation
        lesson = teacher.publish(topic_id, questions, texts, verdict, by, ticket=ticket.number)
        what = f"published as {lesson.item.topic}" if isinstance(lesson.item, Entry) else "published"
        report(lesson, what, ticket.number)


def report(lesson: Lesson, what: str, number: int) -> None:
    if lesson.refused:
        raise fail(ValueError(f"ticket #{number} is answered, but not learned: {lesson.message('en')}"))
    typer.echo(f"Ticket #{number}: {what}{'' if lesson.changed else ' (already so)'}.")


@kb_app.command("learned")
def kb_learned(as_json: Annotated[bool, typer.Option("--json", help="One JSON document.")] = False) -> None:
    """What the policy owner taught the advisor: who, when, from which ticket, what."""
    found = open_teacher().learned()
    items: list[Example | Entry] = sorted([*found.examples, *found.entries], key=lambda item: item.id)
    if as_json:
        typer.echo(json.dumps({"learned": [i.to_dict() for i in items]}, ensure_ascii=False, indent=2))
        return
    if not items:
        typer.echo("Nothing learned yet.")
    for item in items:
        ticket = f"#{item.ticket}" if item.ticket is not None else "-"
        head = f"{item.at:%Y-%m-%d %H:%M} {item.by} {ticket}"
        if isinstance(item, Entry):
            questions = [q for texts in item.variants.values() for q in texts]
            typer.echo(
                f"{head} published {item.topic} ({item.verdict}): {questions[0]} (+{len(questions) - 1})"
            )
        else:
            typer.echo(f"{head} example of {item.topic}: {item.text}")


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
