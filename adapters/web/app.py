"""Routes of the web page and its JSON API on the advisor's aiohttp server, with the
dashboard's (:mod:`.dashboard`).

The API logs through the same query log as every channel (channel ``web``); a visitor is known
by a random cookie, pseudonymized like any user id. Bad requests get a 4xx with a JSON error.
Each client's requests to the API and its dashboard logins are limited (:mod:`.limits`).
"""

from __future__ import annotations

import asyncio
import math
import re
import uuid
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ValidationError

from bot import Query
from bot.config import Settings, secret
from bot.service import Service
from bot.tickets.phrases import load_ticket_phrases

from ..channel import BodyRefused, ask, labels, read_json
from .asking import AskOwner
from .clients import Proxies
from .dashboard import Dashboard
from .learning import Learning
from .limits import LoginGuard, RateLimit
from .responses import HERE, SECURITY_HEADERS, STATIC, Refused, error
from .tickets import TicketsAdmin
from .views import AskBody, DoneBody, FeedbackBody, TopicBody, answer_view

__all__ = ["WebAdapter"]

VISITOR = "advisor_visitor"
# A page's own conversation id (each tab makes a UUID); any other string is ignored.
PAGE_CONVERSATION = re.compile(r"[A-Za-z0-9_-]{1,100}")
LABELS = ("helpful", "not_helpful", "none_of_these", "done", "checklist", "related", "thanks_feedback")


class WebAdapter:
    def __init__(self, service: Service, settings: Settings) -> None:
        self.service = service
        self.advisor = service.advisor
        self.settings = settings
        self.proxies = Proxies(settings.trusted_proxies)
        self.rate = RateLimit(settings.api_rate, settings.api_burst)
        self.logins = LoginGuard(settings.admin_login_failures, settings.admin_lockout_seconds)
        self.ticket_phrases = load_ticket_phrases(settings.knowledge_dir)
        self.dashboard = Dashboard(service, secret(settings.admin_token), self.proxies, self.logins)

    def mount(self, app: web.Application) -> None:
        app.middlewares.append(self._limit)
        routes = app.router
        routes.add_get("/", self._page("index.html"))
        routes.add_get("/static/{name}", self.static)
        routes.add_post("/api/ask", self.ask)
        routes.add_post("/api/topic", self.topic)
        routes.add_post("/api/feedback", self.feedback)
        routes.add_get("/api/checklists", self.checklists)
        routes.add_get("/api/checklists/{name}", self.checklist)
        routes.add_post("/api/checklists/{name}/done", self.checklist_done)
        routes.add_get("/api/openapi.yaml", self.openapi)
        self.dashboard.mount(app)
        TicketsAdmin(self.dashboard, self.service.desk, self.settings.max_body_bytes).mount(app)
        service = self.service
        Learning(self.dashboard, service.desk, service.teacher, self.settings.max_body_bytes).mount(app)
        visitor = lambda r: r.cookies.get(VISITOR)  # noqa: E731
        AskOwner(self.service.desk, self.ticket_phrases, self._guard, visitor).mount(app)

    # -- pages and files ----------------------------------------------------------------------

    def _page(self, name: str) -> Any:
        async def page(request: web.Request) -> web.StreamResponse:
            response = web.FileResponse(STATIC / name, headers=SECURITY_HEADERS)
            if VISITOR not in request.cookies:
                response.set_cookie(
                    VISITOR,
                    uuid.uuid4().hex,
                    httponly=True,
                    samesite="Lax",
                    max_age=365 * 86400,
                    secure=self.proxies.is_https(request),
                )
            return response

        return page

    async def static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        path = STATIC / name
        if "/" in name or name.startswith(".") or not path.is_file() or name.endswith(".html"):
            return error(404, "not found")
        return web.FileResponse(path, headers=SECURITY_HEADERS)

    async def openapi(self, _request: web.Request) -> web.StreamResponse:
        return web.FileResponse(HERE / "openapi.yaml", headers={"Content-Type": "application/yaml"})

    # -- limits -------------------------------------------------------------------------------

    @web.middleware
    async def _limit(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """The API and the login, per client: a rate, and a lockout after wrong logins."""
        path = request.path
        login = path == "/admin/login"
        if not login and not (path.startswith("/api/") and path != "/api/messages"):
            response: web.StreamResponse = await handler(request)
            return response
        client = self.proxies.client(request)
        wait = self.logins.wait(client) if login else 0.0
        wait = wait or self.rate.take(client)
        if wait > 0:
            headers = SECURITY_HEADERS | {"Retry-After": str(math.ceil(wait))}
            return web.json_response(
                {"error": "too many requests: try again later"}, status=429, headers=headers
            )
        response = await handler(request)
        return response

    # -- the API ------------------------------------------------------------------------------

    async def _body(self, request: web.Request, model: type[BaseModel]) -> Any:
        try:
            data = await read_json(request, self.settings.max_body_bytes)
        except BodyRefused as refused:
            raise Refused(error(refused.status, refused.message)) from refused
        if not isinstance(data, dict):
            raise Refused(error(400, "the body must be a JSON object"))
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "(body)"
            raise Refused(error(400, f"{field}: {first['msg']}", field=field)) from exc

    def _query(self, request: web.Request, text: str, **fields: Any) -> Query:
        return Query(text, channel="web", user_id=request.cookies.get(VISITOR), **fields)

    def _conversation(self, request: web.Request, named: str | None) -> str | None:
        """A web conversation, always within the visitor's (their cookie): the page's own when it
        names a valid id, else the visitor's. No cookie, no conversation."""
        visitor = request.cookies.get(VISITOR)
        if not visitor:
            return None
        page = named if named and PAGE_CONVERSATION.fullmatch(named) else ""
        return f"{visitor}:{page}"

    async def _answer(self, query: Query) -> web.Response:
        answer = await ask(self.advisor, query)
        if answer is None:
            return error(500, "internal error")
        asking = {"ask_owner": self.ticket_phrases.say("ask_owner", answer.lang)}
        view = answer_view(answer, labels(self.advisor, answer.lang, LABELS) | asking)
        return web.json_response(view, headers=SECURITY_HEADERS)

    async def _guard(self, request: web.Request, model: type[BaseModel]) -> Any:
        try:
            return await self._body(request, model)
        except Refused as refused:
            return refused.response

    async def ask(self, request: web.Request) -> web.Response:
        body = await self._guard(request, AskBody)
        if isinstance(body, web.Response):
            return body
        conversation = self._conversation(request, body.conversation)
        return await self._answer(
            self._query(request, body.question, lang=body.lang, conversation_id=conversation)
        )

    async def topic(self, request: web.Request) -> web.Response:
        body = await self._guard(request, TopicBody)
        if isinstance(body, web.Response):
            return body
        if body.topic not in self.advisor.knowledge.topics:
            return error(404, f"unknown topic {body.topic!r}")
        fields = {"reply_to": body.reply_to, "lang": body.lang}
        conversation = self._conversation(request, body.conversation)
        return await self._answer(
            self._query(request, "", topic=body.topic, conversation_id=conversation, **fields)
        )

    async def feedback(self, request: web.Request) -> web.Response:
        body = await self._guard(request, FeedbackBody)
        if isinstance(body, web.Response):
            return body
        if body.helpful is None and body.picked is None and not body.comment:
            return error(400, "say whether it helped, add a comment, or name the option picked")
        feedback_id = await asyncio.to_thread(
            self.advisor.feedback,
            body.question_id,
            "web",
            request.cookies.get(VISITOR),
            helpful=body.helpful,
            comment=body.comment,
            picked=body.picked,
        )
        if feedback_id is None:
            return error(400, "question_id must be the id of an answer, and picked an option it offered")
        return web.json_response({"ok": True, "id": feedback_id}, headers=SECURITY_HEADERS)

    def _lang(self, request: web.Request) -> Any:
        """``?lang=en`` or ``he``; absent: None; anything else: the 400 to answer with."""
        lang = request.query.get("lang")
        if lang is not None and lang not in ("en", "he"):
            return error(400, "lang: en or he", field="lang")
        return lang

    async def checklists(self, request: web.Request) -> web.Response:
        lang = self._lang(request)
        if isinstance(lang, web.Response):
            return lang
        return await self._answer(self._query(request, "", checklist="", lang=lang or "en"))

    async def checklist(self, request: web.Request) -> web.Response:
        lang = self._lang(request)
        if isinstance(lang, web.Response):
            return lang
        name = request.match_info["name"]
        if self.advisor.handouts.find(name) is None:
            listed = await ask(self.advisor, Query("", channel="web", checklist=name))
            if listed is None:
                return error(500, "internal error")
            return error(404, f"no checklist called {name!r}", checklists=[o.id for o in listed.options])
        return await self._answer(self._query(request, "", checklist=name, lang=lang))

    async def checklist_done(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        body = await self._guard(request, DoneBody)
        if isinstance(body, web.Response):
            return body
        if self.advisor.handouts.find(name) is None:
            return error(404, f"no checklist called {name!r}")
        return await self._answer(
            self._query(request, "", checklist=name, ticked=frozenset(body.ticked), lang=body.lang)
        )
