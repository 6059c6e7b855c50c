"""Slack payloads read: the question text in a message, the value behind a button, the
delivery id of a message and what is kept of it until it is answered, a checklist's ticks."""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = [
    "KEPT_FIELDS",
    "action_lang",
    "action_value",
    "conversation_id",
    "delivery_id",
    "kept",
    "ticked",
    "to_query_text",
]

MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
SPECIAL = re.compile(r"<![^>]*>")
# What is kept of a message until it is answered (and no longer).
KEPT_FIELDS = ("channel", "channel_type", "ts", "thread_ts", "text", "user")


def to_query_text(text: str) -> str:
    """What the person typed: mentions removed, links reduced to their label, Slack's escaping
    of ``&``, ``<`` and ``>`` undone."""
    text = MENTION.sub(" ", text)
    text = LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = SPECIAL.sub(" ", text)
    return " ".join(text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").split())


def action_value(action: dict[str, Any]) -> dict[str, Any]:
    """The JSON object a button carries (empty when it carries none)."""
    try:
        value = json.loads(action.get("value") or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def action_lang(value: dict[str, Any]) -> Any:
    return value.get("l") if value.get("l") in ("en", "he") else None


def delivery_id(team: str, event: dict[str, Any]) -> str:
    return f"slack:{team}:{event.get('channel', '')}:{event.get('ts', '')}"


def conversation_id(channel: str, thread: str | None, direct: bool) -> str:
    """Where a follow-up keeps its context: a direct message's channel, or a thread (the
    advisor answers a channel message in a thread started at it)."""
    return channel if direct or not thread else f"{channel}:{thread}"


def kept(event: dict[str, Any]) -> dict[str, Any]:
    return {k: event.get(k) for k in KEPT_FIELDS}


def ticked(body: dict[str, Any]) -> frozenset[str]:
    """The checked items of every checkbox group in the message (Slack sends the state)."""
    found: set[str] = set()
    values = ((body.get("state") or {}).get("values") or {}).values()
    for elements in values:
        for element in (elements or {}).values():
            if isinstance(element, dict) and element.get("type") == "checkboxes":
                found.update(o.get("value", "") for o in element.get("selected_options") or [])
    return frozenset(found)
