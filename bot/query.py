"""The neutral question type every adapter builds."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

from .encoding import repair

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

    Text that no store could hold (a lone surrogate, NUL) is repaired here, as the query is
    built, so the core and the query log never see it.
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

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, str):
                object.__setattr__(self, field.name, repair(value))
        if self.ticked is not None:
            object.__setattr__(self, "ticked", frozenset(repair(t) for t in self.ticked))
