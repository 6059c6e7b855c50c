"""The terminal adapter: renders answers as text (ANSI colour on a terminal) and runs a chat.

Numbers typed at the prompt pick the options the last answer offered ("did you mean" topics
or follow-ups), so the console behaves like the buttons in Slack and Teams.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from typing import TextIO

from bot import Advisor, Answer, Option, Outcome, Query, Verdict

__all__ = ["Console", "to_text"]

MARKERS = {
    Verdict.YES: ("✔", "32"),
    Verdict.NO: ("✘", "31"),
    Verdict.CAUTION: ("⚠", "33"),
    Verdict.INFO: ("ℹ", "36"),
}
QUIT_WORDS = frozenset({"quit", "exit", "bye", "יציאה", "ביי"})


def _style(text: str, code: str, color: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if color else text


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=width)) or text


def _numbered(options: tuple[Option, ...], start: int = 1) -> list[str]:
    return [f"  {i}) {o.title}" for i, o in enumerate(options, start)]


def to_text(answer: Answer, color: bool = False, width: int = 88) -> str:
    """Render an answer for a terminal; options and follow-ups are numbered for picking."""
    lines: list[str] = []
    if answer.verdict and answer.verdict_label:
        mark, code = MARKERS[answer.verdict]
        head = f"{mark} {answer.verdict_label}" + (f" · {answer.title}" if answer.title else "")
        lines.append(_style(head, "1;" + code, color))
    lines.append(_wrap(answer.text, width))
    if answer.source_label:
        lines.append(_style(answer.source_label, "2", color))
    if answer.outcome is Outcome.CLARIFY:
        lines += _numbered(answer.options)
    elif answer.suggestions:
        lines += _numbered(answer.suggestions)
    return "\n".join(lines)


class Console:
    """An interactive conversation over any pair of text streams."""

    def __init__(
        self,
        advisor: Advisor,
        read: Callable[[str], str],
        out: TextIO,
        color: bool = False,
    ) -> None:
        self.advisor = advisor
        self.read = read
        self.out = out
        self.color = color
        self.width = min(100, shutil.get_terminal_size((88, 20)).columns)
        self._offered: tuple[Option, ...] = ()

    def ask(self, text: str) -> Answer:
        """Answer one line: a number picks an offered option, anything else is a question."""
        stripped = text.strip()
        if stripped.isdigit() and 0 < int(stripped) <= len(self._offered):
            query = Query(stripped, channel="console", topic=self._offered[int(stripped) - 1].id)
        else:
            query = Query(text, channel="console")
        answer = self.advisor.handle(query)
        self._offered = answer.options if answer.outcome is Outcome.CLARIFY else answer.suggestions
        return answer

    def run(self) -> None:
        greeting = self.advisor.handle(Query("", channel="console", topic="greeting"))
        print(to_text(greeting, self.color, self.width), file=self.out)
        while True:
            try:
                line = self.read("\n> ")
            except (EOFError, KeyboardInterrupt):
                print(file=self.out)
                return
            if line.strip().lower() in QUIT_WORDS:
                return
            print(to_text(self.ask(line), self.color, self.width), file=self.out)
