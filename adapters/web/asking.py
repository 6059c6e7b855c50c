"""Asking the policy owner from the web page: ``POST /api/tickets/preview`` shows what the owner
will see, ``POST /api/tickets`` sends it (one ticket per confirmation key, whatever the
retries), ``GET /api/tickets`` lists the visitor's own tickets with their answers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from bot.tickets.desk import Desk, ticket_key
from bot.tickets.phrases import TicketPhrases
from bot.tickets.records import Contact, Draft

from .responses import SECURITY_HEADERS, error

__all__ = ["AskOwner", "TicketBody"]

NO_STORE = SECURITY_HEADERS | {"Cache-Control": "no-store"}
Guard = Callable[[web.Request, type[BaseModel]], Awaitable[Any]]


class TicketBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(max_length=5000)
    note: str | None = Field(None, max_length=1000)
    name: str | None = Field(None, max_length=200)
    lang: Literal["en", "he"] | None = None
    key: str = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")
    question_id: str | None = Field(None, pattern=r"^[0-9a-f]{32}$")
    as_written: bool = False


class AskOwner:
    def __init__(
        self, desk: Desk, phrases: TicketPhrases, guard: Guard, visitor: Callable[[web.Request], str | None]
    ):
        self.desk = desk
        self.phrases = phrases
        self.guard = guard
        self.visitor = visitor

    def mount(self, app: web.Application) -> None:
        app.router.add_post("/api/tickets/preview", self.preview)
        app.router.add_post("/api/tickets", self.send)
        app.router.add_get("/api/tickets", self.mine)

    async def _draft(self, request: web.Request) -> Draft | web.Response:
        body = await self.guard(request, TicketBody)
        if isinstance(body, web.Response):
            return body
        visitor = self.visitor(request)
        if not visitor:
            return error(400, "open the advisor's page first: it gives this browser its visitor cookie")
        draft = self.desk.prepare(
            key=ticket_key("web", visitor, body.key),
            channel="web",
            question=body.question,
            user_id=visitor,
            contact=Contact("web", visitor, name=body.name) if body.name else None,
            note=body.note,
            lang=body.lang,
            question_id=body.question_id,
            verbatim=body.as_written,
        )
        if draft is None:
            return error(400, self.phrases.say("empty", body.lang or "en"), field="question")
        return draft

    def _view(self, draft: Draft) -> dict[str, Any]:
        say = self.phrases.say
        return {
            "heading": say("preview", draft.lang),
            "name": draft.contact.name if draft.contact else None,
            "question": draft.question,
            "note": draft.note,
            "lang": draft.lang,
            "labels": {
                n: say(n, draft.lang)
                for n in ("from_label", "question_label", "note_label", "send", "cancel")
            },
        }

    async def preview(self, request: web.Request) -> web.Response:
        draft = await self._draft(request)
        if isinstance(draft, web.Response):
            return draft
        return web.json_response(self._view(draft), headers=NO_STORE)

    async def send(self, request: web.Request) -> web.Response:
        draft = await self._draft(request)
        if isinstance(draft, web.Response):
            return draft
        ticket, made = await asyncio.to_thread(self.desk.open, draft)
        body = {
            "number": ticket.number,
            "status": ticket.status,
            "message": self.phrases.say("sent", ticket.lang, number=ticket.number),
        }
        return web.json_response(body, status=201 if made else 200, headers=NO_STORE)

    async def mine(self, request: web.Request) -> web.Response:
        visitor = self.visitor(request)
        found = await asyncio.to_thread(self.desk.mine, visitor) if visitor else []
        return web.json_response({"tickets": [t.to_dict() for t in found]}, headers=NO_STORE)
