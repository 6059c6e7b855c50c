"""Routes of the web page, its JSON API and the dashboard, on the advisor's aiohttp server.

The API logs through the same query log as every channel (channel ``web``); a visitor is known
by a random cookie, pseudonymized like any user id. Bad requests get a 4xx with a JSON error.
The dashboard is off unless ``ADVISOR_ADMIN_TOKEN`` is set; it accepts that token as a bearer
token, or once on its login form, which opens a session (a random id in a secure, HTTP-only
cookie) that signing out ends. Each client's requests to the API and its logins are limited
(:mod:`.limits`); the login and logout forms are refused from other origins.
"""

from __future__ import annotations

import asyncio
import hmac
import math
import secrets
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ValidationError

from bot import Query
from bot.config import Settings, secret
from bot.querylog.report import build_report
from bot.service import Service

from ..channel import BodyRefused, ask, labels, read_json
from .charts import bar_chart
from .clients import Proxies
from .limits import LoginGuard, RateLimit
from .sessions import SESSION_SECONDS, Sessions
from .views import AskBody, DoneBody, FeedbackBody, TopicBody, answer_view

__all__ = ["WebAdapter"]

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
VISITOR = "advisor_visitor"
ADMIN = "advisor_admin"
LABELS = ("helpful", "not_helpful", "none_of_these", "done", "checklist", "related", "thanks_feedback")
# The report's period (it ends at midnight after ``until``) must stay inside Python's calendar.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(9999, 12, 30)
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _error(status: int, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": message, **extra}, status=status, headers=SECURITY_HEADERS)


class _Refused(Exception):
    def __init__(self, response: web.Response) -> None:
        self.response = response


class WebAdapter:
    def __init__(self, service: Service, settings: Settings) -> None:
        self.service = service
        self.advisor = service.advisor
        self.settings = settings
        self.admin_token = secret(settings.admin_token)
        self.proxies = Proxies(settings.trusted_proxies)
        self.rate = RateLimit(settings.api_rate, settings.api_burst)
        self.logins = LoginGuard(settings.admin_login_failures, settings.admin_lockout_seconds)
        self.sessions = Sessions()

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
        routes.add_get("/admin", self.admin_page)
        routes.add_post("/admin/login", self.admin_login)
        routes.add_post("/admin/logout", self.admin_logout)
        routes.add_get("/api/admin/report", self.admin_report)
        routes.add_get("/api/admin/report.csv", self.admin_csv)
        routes.add_get("/api/admin/chart.svg", self.admin_chart)

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
            return _error(404, "not found")
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
            raise _Refused(_error(refused.status, refused.message)) from refused
        if not isinstance(data, dict):
            raise _Refused(_error(400, "the body must be a JSON object"))
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "(body)"
            raise _Refused(_error(400, f"{field}: {first['msg']}", field=field)) from exc

    def _query(self, request: web.Request, text: str, **fields: Any) -> Query:
        return Query(text, channel="web", user_id=request.cookies.get(VISITOR), **fields)

    async def _answer(self, query: Query) -> web.Response:
        answer = await ask(self.advisor, query)
        if answer is None:
            return _error(500, "internal error")
        view = answer_view(answer, labels(self.advisor, answer.lang, LABELS))
        return web.json_response(view, headers=SECURITY_HEADERS)

    async def _guard(self, request: web.Request, model: type[BaseModel]) -> Any:
        try:
            return await self._body(request, model)
        except _Refused as refused:
            return refused.response

    async def ask(self, request: web.Request) -> web.Response:
        body = await self._guard(request, AskBody)
        if isinstance(body, web.Response):
            return body
        return await self._answer(self._query(request, body.question, lang=body.lang))

    async def topic(self, request: web.Request) -> web.Response:
        body = await self._guard(request, TopicBody)
        if isinstance(body, web.Response):
            return body
        if body.topic not in self.advisor.knowledge.topics:
            return _error(404, f"unknown topic {body.topic!r}")
        return await self._answer(
            self._query(request, "", topic=body.topic, reply_to=body.reply_to, lang=body.lang)
        )

    async def feedback(self, request: web.Request) -> web.Response:
        body = await self._guard(request, FeedbackBody)
        if isinstance(body, web.Response):
            return body
        if body.helpful is None and body.picked is None and not body.comment:
            return _error(400, "say whether it helped, add a comment, or name the option picked")
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
            return _error(400, "question_id must be the id of an answer, and picked an option it offered")
        return web.json_response({"ok": True, "id": feedback_id}, headers=SECURITY_HEADERS)

    def _lang(self, request: web.Request) -> Any:
        """``?lang=en`` or ``he``; absent: None; anything else: the 400 to answer with."""
        lang = request.query.get("lang")
        if lang is not None and lang not in ("en", "he"):
            return _error(400, "lang: en or he", field="lang")
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
        if self.advisor.checklists.find(name) is None:
            listed = await ask(self.advisor, Query("", channel="web", checklist=name))
            if listed is None:
                return _error(500, "internal error")
            return _error(404, f"no checklist called {name!r}", checklists=[o.id for o in listed.options])
        return await self._answer(self._query(request, "", checklist=name, lang=lang))

    async def checklist_done(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        body = await self._guard(request, DoneBody)
        if isinstance(body, web.Response):
            return body
        if self.advisor.checklists.find(name) is None:
            return _error(404, f"no checklist called {name!r}")
        return await self._answer(
            self._query(request, "", checklist=name, ticked=frozenset(body.ticked), lang=body.lang)
        )

    # -- the dashboard ------------------------------------------------------------------------

    def _authorized(self, request: web.Request) -> bool:
        if not self.admin_token:
            return False
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer ") and hmac.compare_digest(
            header[7:].strip().encode(), self.admin_token.encode()
        ):
            return True
        return self.sessions.is_open(request.cookies.get(ADMIN, ""))

    def _same_origin(self, request: web.Request) -> bool:
        """A form posted from this site. Browsers say so in Sec-Fetch-Site, which pages cannot
        set; older ones only in Origin (which names this host). Neither: not a browser."""
        # Under this site's Referrer-Policy (no-referrer) browsers send "Origin: null" even for
        # the dashboard's own forms, so Sec-Fetch-Site decides when it is there.
        site = request.headers.get("Sec-Fetch-Site")
        if site is not None:
            return site in ("same-origin", "none")
        origin = request.headers.get("Origin")
        if origin is None:
            return True
        scheme, _, host = origin.partition("://")
        https = self.proxies.is_https(request)
        return host.lower() == request.host.lower() and scheme == ("https" if https else scheme)

    def _admin_guard(self, request: web.Request) -> web.Response | None:
        if not self.admin_token:
            return _error(404, "the dashboard is off: set ADVISOR_ADMIN_TOKEN to turn it on")
        if not self._authorized(request):
            return _error(401, "sign in with the dashboard token")
        return None

    async def admin_page(self, request: web.Request) -> web.StreamResponse:
        if not self.admin_token:
            return _error(404, "the dashboard is off: set ADVISOR_ADMIN_TOKEN to turn it on")
        page = "admin.html" if self._authorized(request) else "login.html"
        return web.FileResponse(STATIC / page, headers=SECURITY_HEADERS)

    async def admin_login(self, request: web.Request) -> web.StreamResponse:
        if not self.admin_token:
            return _error(404, "the dashboard is off: set ADVISOR_ADMIN_TOKEN to turn it on")
        if not self._same_origin(request):
            return _error(403, "sign in from the dashboard's own page")
        form = await request.post()
        token = str(form.get("token", ""))
        client = self.proxies.client(request)
        if not hmac.compare_digest(token.encode(), self.admin_token.encode()):
            self.logins.failed(client)
            return web.FileResponse(STATIC / "login.html", status=401, headers=SECURITY_HEADERS)
        self.logins.succeeded(client)
        redirect = web.HTTPSeeOther("/admin", headers=SECURITY_HEADERS)
        redirect.set_cookie(
            ADMIN,
            self.sessions.open(),
            httponly=True,
            secure=True,
            samesite="Strict",
            max_age=SESSION_SECONDS,
        )
        raise redirect

    async def admin_logout(self, request: web.Request) -> web.StreamResponse:
        if not self._same_origin(request):
            return _error(403, "sign out from the dashboard's own page")
        self.sessions.close(request.cookies.get(ADMIN, ""))
        redirect = web.HTTPSeeOther("/admin", headers=SECURITY_HEADERS)
        redirect.del_cookie(ADMIN)
        raise redirect

    def _period(self, request: web.Request) -> tuple[datetime, datetime]:
        try:
            until_day = (
                date.fromisoformat(request.query["until"])
                if "until" in request.query
                else datetime.now(UTC).date()
            )
            since_day = (
                date.fromisoformat(request.query["since"])
                if "since" in request.query
                else max(until_day, FIRST_DAY + timedelta(days=6)) - timedelta(days=6)
            )
        except ValueError as exc:
            raise _Refused(_error(400, "since and until are dates such as 2026-11-26")) from exc
        if not all(FIRST_DAY <= day <= LAST_DAY for day in (since_day, until_day)):
            raise _Refused(_error(400, f"since and until must be between {FIRST_DAY} and {LAST_DAY}"))
        if since_day > until_day or (until_day - since_day).days > 366:
            raise _Refused(_error(400, "since must be before until, at most a year apart"))
        start = datetime.combine(since_day, time.min, tzinfo=UTC)
        return start, datetime.combine(until_day + timedelta(days=1), time.min, tzinfo=UTC)

    async def _report(self, request: web.Request) -> Any:
        refused = self._admin_guard(request)
        if refused:
            return refused
        try:
            since, until = self._period(request)
        except _Refused as exc:
            return exc.response
        return await asyncio.to_thread(build_report, self.service.store, since, until)

    async def admin_report(self, request: web.Request) -> web.Response:
        report = await self._report(request)
        if isinstance(report, web.Response):
            return report
        data = report.to_dict()
        for cluster, view in zip(report.clusters, data["unanswered"], strict=True):
            view["snippet"] = cluster.snippet()
        return web.json_response(data, headers=SECURITY_HEADERS | {"Cache-Control": "no-store"})

    async def admin_csv(self, request: web.Request) -> web.Response:
        report = await self._report(request)
        if isinstance(report, web.Response):
            return report
        name = f"advisor-report-{report.since:%Y-%m-%d}-{(report.until - timedelta(days=1)):%Y-%m-%d}.csv"
        return web.Response(
            text=report.to_csv(),
            content_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
        )

    async def admin_chart(self, request: web.Request) -> web.Response:
        report = await self._report(request)
        if isinstance(report, web.Response):
            return report
        return web.Response(
            text=bar_chart(report.per_day),
            content_type="image/svg+xml",
            headers={"Cache-Control": "no-store"},
        )


def new_token() -> str:
    """A dashboard token for the set-up step in docs/web.md."""
    return secrets.token_urlsafe(32)
