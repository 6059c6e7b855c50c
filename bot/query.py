"""The neutral question type every adapter builds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Channel", "Query"]

Channel = Literal["slack", "teams", "console", "web", "cli"]


@dataclass(frozen=True, slots=True)
class Query:
    """One question from one person, stripped of any platform object.

    ``topic`` asks for a topic directly (a follow-up button; with ``reply_to``, the id of the
    "did you mean" answer it came from, it is logged as that answer's pick);
    ``checklist`` asks for a checklist by id, name or alias ("" lists them all), and with
    ``ticked`` (the ids of the items the person ticked) reports a finished checklist;
    ``lang`` forces the reply language, otherwise it is detected from ``text``.
    """

    text: str
    channel: Channel = "cli"
    user_id: str | None = None
    workspace_id: str | None = None
    conversation_id: str | None = None
    delivery_id: str | None = None
    topic: str | None = None
    reply_to: str | None = None
    checklist: str | None = None
    ticked: frozenset[str] | None = None
    lang: Literal["en", "he"] | None = None
