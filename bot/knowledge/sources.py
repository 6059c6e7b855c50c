"""The parts of the guidance an answer or a checklist item can rest on."""

from __future__ import annotations

from typing import Literal

__all__ = ["OWNER", "SOURCES", "Source"]

Source = Literal[
    "Rule 1",
    "Rule 2",
    "Rule 3",
    "Rule 4",
    "Benefits",
    "Platform limits",
    "Strategy",
    "Overview",
    "Policy owner",
]
SOURCES: tuple[str, ...] = Source.__args__  # type: ignore[attr-defined]
OWNER = "Policy owner"
"""The source of what the policy owner answered and published (docs/tickets.md)."""
