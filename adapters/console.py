"""The terminal adapter: renders answers as text (ANSI colour on a terminal) and runs a chat.

Numbers typed at the prompt pick the options the last answer offered ("did you mean" topics
or follow-ups), so the console behaves like the buttons in Slack and Teams.
"""

from __future__ import annotations

import shutil
import textwrap
import uuid
from collections.abc import Callable
from typing import Any, TextIO

from bot import Advisor, Answer, Option, Outcome, Query, Verdict
from bot.knowledge.checklists import ChecklistView, ItemView

__all__ = ["Console", "to_text"]

MARKERS = {
    Verdict.YES: ("✔", "32"),
    Verdict.NO: ("✘", "31"),
    Verdict.CAUTION: ("⚠", "33"),
    Verdict.INFO: ("ℹ", "36"),
}
QUIT_WORDS = frozenset({"quit", "exit", "bye", "יציאה", "ביי"})
YES_WORDS = frozenset({"y", "yes", "done", "כ", "כן", "בוצע"})


def _style(text: str, code: str, color: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if color else text


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=width)) or text


def _numbered(options: tuple[Option, ...], start: int = 1) -> list[str]:
    return [f"  {i}) {o.title}" for i, o in enumerate(options, start)]


def _steps(steps: ChecklistView, width: int) -> list[str]:
    lines: list[str] = []
    for section in steps.sections:
        if section.title:
            lines.append(section.title + ":")
        lines += [
            textwrap.fill(item.text, width, initial_indent="  [ ] ", subsequent_indent="      ")
            for item in section.items
        ]
    return lines


def _missed(items: tuple[ItemView, ...], width: int) -> list[str]:
    lines: list[str] = []
    for item in items:
        lines.append(textwrap.fill(item.text, width, initial_indent="  ✘ ", subsequent_indent="    "))
        lines.append(textwrap.fill(item.why, width, initial_indent="    ", subsequent_indent="    "))
    return lines


def to_text(answer: Answer, color: bool = False, width: int = 88) -> str:
    """Render an answer for a terminal; options and follow-ups are numbered for picking."""
    lines: list[str] = []
    if answer.steps or answer.missed:
        lines.append(_style(f"☑ {answer.title}", "1", color))
    if answer.verdict and answer.verdict_label:
        mark, code = MARKERS[answer.verdict]
        head = f"{mark} {answer.verdict_label}" + (f" · {answer.title}" if answer.title else "")
        lines.append(_style(head, "1;" + code, color))
    lines.append(_wrap(answer.text, width))
    if answer.steps:
        lines += _steps(answer.steps, width)
    lines += _missed(answer.missed, width)
    if answer.source_label:
        lines.append(_style(_wrap(answer.source_label, width), "2", color))
    lines += _numbered(_offers(answer))
    return "\n".join(lines)


def _offers(answer: Answer) -> tuple[Option, ...]:
    """What a number typed next can pick: the options, or the follow-ups and the checklist."""
    if answer.outcome is Outcome.CLARIFY:
        return answer.options
    return answer.suggestions + ((answer.checklist,) if answer.checklist and not answer.steps else ())


class Console:
    """An interactive conversation over any pair of text streams."""

    def __init__(
        self,
        advisor: Advisor,
        read: Callable[[str], str],
        out: TextIO,
        color: bool = False,
        user: str | None = None,
    ) -> None:
        self.advisor = advisor
        self.user = user
        self.read = read
        self.out = out
        self.color = color
        self.width = min(100, shutil.get_terminal_size((88, 20)).columns)
        self._offered: tuple[Option, ...] = ()
        self._asked: str | None = None
        # One chat is one conversation: follow-ups ("and on Instagram?") keep its context.
        self.conversation = uuid.uuid4().hex

    def ask(self, text: str) -> Answer:
        """Answer one line: a number picks an offered option, anything else is a question."""
        stripped = text.strip()
        if stripped.isdigit() and 0 < int(stripped) <= len(self._offered):
            picked = self._offered[int(stripped) - 1]
            query = (
                Query(stripped, checklist=picked.id, **self._fields())
                if picked.kind == "checklist"
                else Query(stripped, topic=picked.id, reply_to=self._asked, **self._fields())
            )
        else:
            query = Query(text, **self._fields())
        answer = self.advisor.handle(query)
        self._offered = _offers(answer)
        self._asked = answer.id if answer.outcome is Outcome.CLARIFY else None
        return answer

    def _fields(self) -> dict[str, Any]:
        return {"channel": "console", "user_id": self.user, "conversation_id": self.conversation}

    def tick_through(self, steps: ChecklistView) -> Answer:
        """Ask about each item in turn, then report what was left unticked and why it matters."""
        prompt = self.advisor.knowledge.phrases.checklist_prompt.get(steps.lang)
        ticked = set()
        for section in steps.sections:
            if section.title:
                print(_style(section.title, "1", self.color), file=self.out)
            for item in section.items:
                print(_wrap(item.text, self.width), file=self.out)
                if self.read(f"  {prompt} ").strip().lower() in YES_WORDS:
                    ticked.add(item.id)
        summary = self.advisor.handle(
            Query(
                "",
                channel="console",
                user_id=self.user,
                checklist=steps.id,
                ticked=frozenset(ticked),
                lang=steps.lang,  # type: ignore[arg-type]
            )
        )
        self._offered = _offers(summary)
        return summary

    def run(self) -> None:
        greeting = self.advisor.handle(Query("", topic="greeting", **self._fields()))
        self._offered = _offers(greeting)
        print(to_text(greeting, self.color, self.width), file=self.out)
        while True:
            try:
                line = self.read("\n> ")
            except (EOFError, KeyboardInterrupt):
                print(file=self.out)
                return
            if line.strip().lower() in QUIT_WORDS:
                return
            answer = self.ask(line)
            if answer.steps:
                print(_style(f"☑ {answer.title}", "1", self.color), file=self.out)
                print(_wrap(answer.text, self.width), file=self.out)
                try:
                    answer = self.tick_through(answer.steps)
                except (EOFError, KeyboardInterrupt):
                    print(file=self.out)
                    return
            print(to_text(answer, self.color, self.width), file=self.out)
