"""What the chat adapters share: reading a typed command, and answering in a worker thread with
the one catch-all that turns a failure into an apology (and a logged ``error`` row)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot import Advisor, Answer, Query
from bot.text import detect_lang

__all__ = ["ask", "command_query"]

log = logging.getLogger(__name__)

CHECKLIST_WORDS = ("checklists", "checklist", "רשימות בדיקה", "רשימת בדיקה", "צ'קליסט")
HELP_WORDS = frozenset({"", "help", "עזרה"})


def command_query(text: str, **fields: Any) -> Query:
    """``checklist [NAME]``, ``help``, ``ask QUESTION`` or just a question, in either language."""
    lowered = text.lower()
    word = next((w for w in CHECKLIST_WORDS if lowered.startswith(w)), None)
    if lowered.startswith("ask "):
        return Query(text[4:].strip(), **fields)
    if word is not None:
        return Query(text, checklist=text[len(word) :].strip(), lang=detect_lang(text), **fields)  # type: ignore[arg-type]
    if lowered in HELP_WORDS:
        return Query(text, topic="help", lang=detect_lang(text), **fields)  # type: ignore[arg-type]
    return Query(text, **fields)


async def ask(advisor: Advisor, query: Query) -> Answer | None:
    """The answer, or None after logging the failure (the adapter then apologises)."""

    def work() -> Answer | None:
        try:
            return advisor.handle(query)
        except Exception:  # noqa: BLE001 - the adapters' one catch-all for answering
            log.exception("answering failed (delivery %s)", query.delivery_id)
            advisor.record_failure(query)
            return None

    return await asyncio.to_thread(work)
