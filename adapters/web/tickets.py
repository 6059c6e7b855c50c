"""The dashboard's tickets: the page ``/admin/tickets`` and its API under ``/api/admin/tickets``.

Behind the dashboard's sign-in. Listing filters by status, topic and age and gives the times
to first response and to answer; an owner can assign, answer, close and reopen from here as
from the chat channels. A change posted with the session cookie must come from the dashboard's
own page (as the sign-in form); with the bearer token it may come from anywhere.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.tickets.desk import Desk, figures
from bot.tickets.lifecycle import ACTIONS
from bot.tickets.records import STATUSES, TicketFilter

from ..channel import BodyRefused, read_json
from .dashboard import ADMIN, Dashboard
from .responses import SECURITY_HEADERS, STATIC, error

__all__ = ["TicketsAdmin"]

NO_STORE = SECURITY_HEADERS | {"Cache-Control": "no-store"}
REFUSALS = {
    "closed": (409, "the ticket is closed: reopen it first"),
    "answered": (409, "the ticket is answered: reopen it first"),
    "empty": (400, "an answer needs some text"),
}
AGES = {"h": 3600, "d": 86400, "w": 7 * 86400}
MAX_AGE_DAYS = 3650


class ActBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    by: str = Field("dashboard", min_length=1, max_length=200)
    text: str | None = Field(None, max_length=4000)
    lang: Literal["en", "he"] | None = None


def parse_age(text: str) -> timedelta | None:
    """``2d``, ``12h``, ``1w`` (a bare number is days), up to ten years; None when unreadable."""
    value = text.strip().lower()
    unit = value[-1] if value[-1:] in AGES else "d"
    number = value[:-1] if value[-1:] in AGES else value
    if not number.isdigit() or len(number) > 6:
        return None
    age = timedelta(seconds=int(number) * AGES[unit])
    return age if age <= timedelta(days=MAX_AGE_DAYS) else None


class TicketsAdmin:
    def __init__(self, dashboard: Dashboard, desk: Desk, max_body_bytes: int) -> None:
        self.dashboard = dashboard
        self.desk = desk
        self.max_body_bytes = max_body_bytes

    def mount(self, app: web.Application) -> None:
        routes = app.router
        routes.add_get("/admin/tickets", self.page)
        routes.add_get("/api/admin/tickets", self.list)
        routes.add_get("/api/admin/tickets/{number}", self.show)
        routes.add_post("/api/admin/tickets/{number}/{action}", self.act)

    async def page(self, request: web.Request) -> web.StreamResponse:
        refused = self.dashboard._admin_guard(request)
        if refused is not None and refused.status == 404:
            return refused
        # One address, two pages (the sign-in form until signed in): never from a cache.
        name = "tickets.html" if refused is None else "login.html"
        return web.FileResponse(STATIC / name, headers=NO_STORE)

    def _filter(self, request: web.Request) -> TicketFilter | web.Response:
        query = request.query
        statuses = frozenset(s for s in query.get("status", "").split(",") if s)
        if not statuses <= set(STATUSES):
            return error(400, f"status: one or more of {', '.join(STATUSES)}", field="status")
        before = None
        if query.get("older_than"):
            age = parse_age(query["older_than"])
            if age is None:
                return error(400, "older_than: an age such as 2d, 12h or 1w", field="older_than")
            before = datetime.now(UTC) - age
        topic = query.get("topic") or None
        if topic is not None and len(topic) > 100:
            return error(400, "topic: at most 100 characters", field="topic")
        return TicketFilter(statuses=statuses, topic=topic, opened_before=before, limit=500)

    async def list(self, request: web.Request) -> web.Response:
        refused = self.dashboard._admin_guard(request)
        if refused is not None:
            return refused
        where = self._filter(request)
        if isinstance(where, web.Response):
            return where
        found = await asyncio.to_thread(self.desk.list, where)
        now = datetime.now(UTC)
        tickets = [t.to_dict() | {"age_seconds": round(t.age(now).total_seconds())} for t in found]
        return web.json_response({"tickets": tickets, "figures": figures(found).to_dict()}, headers=NO_STORE)

    def _number(self, request: web.Request) -> int | None:
        text = request.match_info["number"]
        return int(text) if text.isdigit() and len(text) < 10 else None

    async def show(self, request: web.Request) -> web.Response:
        refused = self.dashboard._admin_guard(request)
        if refused is not None:
            return refused
        number = self._number(request)
        ticket = None if number is None else await asyncio.to_thread(self.desk.get, number)
        if ticket is None:
            return error(404, "no such ticket")
        return web.json_response(ticket.to_dict(), headers=NO_STORE)

    async def act(self, request: web.Request) -> web.Response:
        refused = self.dashboard._admin_guard(request)
        if refused is not None:
            return refused
        if request.cookies.get(ADMIN) and not self.dashboard._same_origin(request):
            return error(403, "change tickets from the dashboard's own page")
        action = request.match_info["action"]
        if action not in ACTIONS:
            return error(404, f"no such action: one of {', '.join(ACTIONS)}")
        number = self._number(request)
        if number is None:
            return error(404, "no such ticket")
        try:
            data = await read_json(request, self.max_body_bytes)
            body = ActBody.model_validate(data if data is not None else {})
        except BodyRefused as exc:
            return error(exc.status, exc.message)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "(body)"
            return error(400, f"{field}: {first['msg']}", field=field)
        outcome = await asyncio.to_thread(self.desk.act, number, action, body.by, body.text, body.lang)
        if outcome is None:
            return error(404, "no such ticket")
        if outcome.refused:
            status, message = REFUSALS.get(outcome.refused, (400, outcome.refused))
            return error(status, message, ticket=outcome.ticket.to_dict())
        return web.json_response(
            {"changed": outcome.changed, "ticket": outcome.ticket.to_dict()}, headers=NO_STORE
        )
