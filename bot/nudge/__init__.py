"""The nudge: links in a message that join a group or install an app, found by the policy's
link patterns, and what the person who shared one is told (privately, by the adapters)."""

from .links import MAX_CHARS, MAX_LINKS, Hit, LinkScanner
from .store import MemoryNudgeStore, NudgeCount, NudgeStore

__all__ = [
    "MAX_CHARS",
    "MAX_LINKS",
    "Hit",
    "LinkScanner",
    "MemoryNudgeStore",
    "NudgeCount",
    "NudgeStore",
]
