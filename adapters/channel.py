"""The channel layer: what every channel adapter (Slack, Teams, the web) does the same way.

A channel is mounted on the advisor's aiohttp server (:class:`Channel`); it asks the core
through :func:`ask`, the one catch-all that turns a failure into an apology and a logged
``error`` row; labels its buttons with the knowledge base's phrases (:func:`labels`); records
what a person said of an answer (:func:`record_feedback`); turns a button back into its query
(:func:`button_query`); and reads JSON bodies the same way (:func:`read_json`). The owners'
weekly digest is scheduled in :mod:`adapters.digest`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from aiohttp import web

from bot import Advisor, Answer, Query
from bot.query import Channel as ChannelName

__all__ = [
    "FEEDBACK",
    "BodyRefused",
    "Channel",
    "ask",
    "button_query",
    "labels",
    "read_json",
    "record_feedback",
]

log = logging.getLogger(__name__)

# As many threads as answers worked on at once by default (ADVISOR_ANSWER_CONCURRENCY): the
# questions they rank at the same moment share one encoder call.
ANSWERING = ThreadPoolExecutor(max_workers=16, thread_name_prefix="answer")

# The buttons under an answer that say what a person made of it.
FEEDBACK = ("helpful", "not_helpful", "none")


class Channel(Protocol):
    """What every channel adapter provides: its routes and start and stop hooks on the server."""

    def mount(self, app: web.Application) -> None: ...


async def ask(advisor: Advisor, query: Query) -> Answer | None:
    """The answer, or None after logging the failure (the adapter then apologises)."""

    def work() -> Answer | None:
        try:
            return advisor.handle(query)
        except Exception:  # noqa: BLE001 - the adapters' one catch-all for answering
            log.exception("answering failed (delivery %s)", query.delivery_id)
            advisor.record_failure(query)
            return None

    return await asyncio.get_running_loop().run_in_executor(ANSWERING, work)


def labels(advisor: Advisor, lang: str, names: Iterable[str]) -> dict[str, str]:
    """The fixed phrases a channel's buttons and notes show, in ``lang``."""
    return {name: advisor.label(name, lang) for name in names}


async def record_feedback(
    advisor: Advisor, kind: str, question_id: str, channel: ChannelName, user: str | None
) -> None:
    """A feedback button pressed (one of :data:`FEEDBACK`): helpful, not helpful, or none of
    the options offered."""
    await asyncio.to_thread(
        advisor.feedback,
        question_id,
        channel,
        user,
        helpful={"helpful": True, "not_helpful": False}.get(kind),
        picked="none" if kind == "none" else None,
    )


def button_query(
    kind: str, value: dict[str, Any], ticked: frozenset[str] = frozenset(), **fields: Any
) -> Query | None:
    """The query behind a button: a topic offered (``t``, in reply to ``r``), a checklist
    (``c``), or a checklist finished with the items ``ticked``; None for any other button."""
    if kind == "topic":
        return Query("", topic=str(value.get("t", "")), reply_to=value.get("r"), **fields)
    if kind == "checklist":
        return Query("", checklist=str(value.get("c", "")), **fields)
    if kind == "done":
        return Query("", checklist=str(value.get("c", "")), ticked=ticked, **fields)
    return None


class BodyRefused(Exception):
    """A request body that is not read: too large, not JSON, or not parsable."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def read_json(request: web.Request, max_bytes: int) -> Any:
    """The request's JSON body as sent (text UTF-8 cannot hold is the caller's: the web API
    refuses it, a chat platform's payload is repaired); bodies declared over ``max_bytes`` are
    refused unread."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise BodyRefused(413, "request body too large")
    if request.content_type != "application/json":
        raise BodyRefused(415, "send application/json")
    try:
        return json.loads(await request.read())
    except web.HTTPRequestEntityTooLarge as exc:
        raise BodyRefused(413, "request body too large") from exc
    except (ValueError, RecursionError) as exc:
        raise BodyRefused(400, "the body is not valid JSON") from exc
