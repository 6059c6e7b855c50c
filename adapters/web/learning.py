"""Teaching from the dashboard: ``POST /api/admin/learned`` adds a ticket's question as an
example of a topic or publishes an owner's entry; ``DELETE /api/admin/learned/{id}`` withdraws
one; ``GET /api/admin/learned`` lists what was taught, by whom and when, and what was
withdrawn. Behind the dashboard's sign-in; a change sent with the session cookie must come
from the dashboard's own page. What is refused is said in the owner's language (``lang``,
else the browser's)."""

from __future__ import annotations

import asyncio
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.learned.teach import Lesson, Teacher
from bot.tickets.desk import Desk

from ..channel import BodyRefused, read_json
from .dashboard import ADMIN, Dashboard
from .responses import SECURITY_HEADERS, error

__all__ = ["Learning"]

NO_STORE = SECURITY_HEADERS | {"Cache-Control": "no-store"}
CONFLICTS = frozenset({"taken", "other-topic", "withdrawn"})
Lang = Literal["en", "he"]


class PublishBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    topic: str | None = Field(None, max_length=100)
    variants: dict[Lang, list[str]] = Field(default_factory=dict)
    answer: dict[Lang, str | None] | None = None
    verdict: Literal["yes", "no", "caution", "info"]


class LearnBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ticket: int = Field(ge=1, lt=10**9)
    by: str = Field("dashboard", min_length=1, max_length=200)
    example_of: str | None = Field(None, max_length=100)
    publish: PublishBody | None = None
    lang: Lang | None = None


class Learning:
    def __init__(self, dashboard: Dashboard, desk: Desk, teacher: Teacher, max_body_bytes: int) -> None:
        self.dashboard = dashboard
        self.desk = desk
        self.teacher = teacher
        self.max_body_bytes = max_body_bytes

    def mount(self, app: web.Application) -> None:
        app.router.add_get("/api/admin/learned", self.list)
        app.router.add_post("/api/admin/learned", self.learn)
        app.router.add_delete("/api/admin/learned/{id}", self.withdraw)

    async def list(self, request: web.Request) -> web.Response:
        refused = self.dashboard._admin_guard(request)
        if refused is not None:
            return refused
        found = await asyncio.to_thread(self.teacher.learned, with_withdrawn=True)
        return web.json_response({"learned": [i.to_dict() for i in found.items()]}, headers=NO_STORE)

    def _change_refused(self, request: web.Request, what: str) -> web.Response | None:
        """Signed in, and with the session cookie from the dashboard's own page."""
        refused = self.dashboard._admin_guard(request)
        if refused is None and request.cookies.get(ADMIN) and not self.dashboard._same_origin(request):
            refused = error(403, f"{what} from the dashboard's own page")
        return refused

    def _refused(self, request: web.Request, lesson: Lesson, lang: str | None) -> web.Response:
        """A refusal, worded in ``lang``, else in the browser's language."""
        lang = lang or ("he" if request.headers.get("Accept-Language", "").startswith("he") else "en")
        status = 404 if lesson.refused == "unknown-item" else 409 if lesson.refused in CONFLICTS else 400
        return error(status, self.teacher.message(lesson, lang), reason=lesson.refused)

    async def withdraw(self, request: web.Request) -> web.Response:
        """Withdraw a learned example or entry (``by``: who, default the dashboard)."""
        refused = self._change_refused(request, "withdraw")
        if refused is not None:
            return refused
        lang = request.query.get("lang")
        if lang not in (None, "en", "he"):
            return error(400, "lang: en or he", field="lang")
        text = request.match_info["id"]
        if not text.isdigit() or len(text) > 9:
            return error(404, "nothing learned has that id")
        by = request.query.get("by", "dashboard")
        lesson = await asyncio.to_thread(self.teacher.withdraw, int(text), by)
        if lesson.refused:
            return self._refused(request, lesson, lang)
        item = lesson.item.to_dict() if lesson.item else None
        return web.json_response({"changed": lesson.changed, "learned": item}, headers=NO_STORE)

    async def learn(self, request: web.Request) -> web.Response:
        refused = self._change_refused(request, "teach")
        if refused is not None:
            return refused
        try:
            data = await read_json(request, self.max_body_bytes)
            body = LearnBody.model_validate(data if data is not None else {})
        except BodyRefused as exc:
            return error(exc.status, exc.message)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "(body)"
            return error(400, f"{field}: {first['msg']}", field=field)
        if (body.example_of is None) == (body.publish is None):
            return error(400, "give either example_of or publish", field="(body)")
        lesson = await asyncio.to_thread(self._teach, body)
        if lesson is None:
            return error(404, "no such ticket")
        if lesson.refused:
            return self._refused(request, lesson, body.lang)
        item = lesson.item.to_dict() if lesson.item else None
        status = 201 if lesson.changed else 200
        return web.json_response(
            {"changed": lesson.changed, "learned": item}, status=status, headers=NO_STORE
        )

    def _teach(self, body: LearnBody) -> Lesson | None:
        ticket = self.desk.get(body.ticket)
        if ticket is None:
            return None
        if body.example_of is not None:
            return self.teacher.add_example(
                body.example_of, ticket.question, body.by, lang=ticket.lang, ticket=ticket.number
            )
        publish = body.publish
        assert publish is not None
        variants: dict[str, list[str]] = {"en": [], "he": []}
        variants[ticket.lang if ticket.lang in variants else "en"].append(ticket.question)
        for lang, texts in publish.variants.items():
            variants[lang].extend(texts)
        answer: dict[str, str | None] = {"he" if ticket.answer_lang == "he" else "en": ticket.answer}
        if publish.answer is not None:
            answer = {lang: text for lang, text in publish.answer.items()}
        return self.teacher.publish(
            publish.topic, variants, answer, publish.verdict, body.by, ticket=ticket.number
        )
