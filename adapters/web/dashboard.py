"""The policy owner's dashboard: sign-in, the report as JSON, CSV and a chart.

Off unless ``ADVISOR_ADMIN_TOKEN`` is set. It accepts that token as a bearer token, or once on
its login form, which opens a session (a random id in a secure, HTTP-only cookie) that signing
out ends; wrong tokens lock a client out for a while (:mod:`.limits`). The login and logout
forms are refused from other origins.
"""

from __future__ import annotations

import asyncio
import hmac
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from aiohttp import web

from bot.querylog.report import build_report
from bot.service import Service

from .charts import bar_chart
from .clients import Proxies
from .limits import LoginGuard
from .responses import SECURITY_HEADERS, STATIC, Refused, error
from .sessions import SESSION_SECONDS, Sessions

__all__ = ["Dashboard"]

ADMIN = "advisor_admin"
# The report's period (it ends at midnight after ``until``) must stay inside Python's calendar.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(9999, 12, 30)


class Dashboard:
    def __init__(self, service: Service, admin_token: str, proxies: Proxies, logins: LoginGuard) -> None:
        self.service = service
        self.admin_token = admin_token
        self.proxies = proxies
        self.logins = logins
        self.sessions = Sessions()

    def mount(self, app: web.Application) -> None:
        routes = app.router
        routes.add_get("/admin", self.admin_page)
        routes.add_post("/admin/login", self.admin_login)
        routes.add_post("/admin/logout", self.admin_logout)
        routes.add_get("/api/admin/report", self.admin_report)
        routes.add_get("/api/admin/report.csv", self.admin_csv)
        routes.add_get("/api/admin/chart.svg", self.admin_chart)

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
            return error(404, "the dashboard is off: set ADVISOR_ADMIN_TOKEN to turn it on")
        if not self._authorized(request):
            return error(401, "sign in with the dashboard token")
        return None

    async def admin_page(self, request: web.Request) -> web.StreamResponse:
        if not self.admin_token:
            return error(404, "the dashboard is off: set ADVISOR_ADMIN_TOKEN to turn it on")
        page = "admin.html" if self._authorized(request) else "login.html"
        return web.FileResponse(STATIC / page, headers=SECURITY_HEADERS)

    async def admin_login(self, request: web.Request) -> web.StreamResponse:
        if not self.admin_token:
            return error(404, "the dashboard is off: set ADVISOR_ADMIN_TOKEN to turn it on")
        if not self._same_origin(request):
            return error(403, "sign in from the dashboard's own page")
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
            return error(403, "sign out from the dashboard's own page")
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
            raise Refused(error(400, "since and until are dates such as 2026-11-26")) from exc
        if not all(FIRST_DAY <= day <= LAST_DAY for day in (since_day, until_day)):
            raise Refused(error(400, f"since and until must be between {FIRST_DAY} and {LAST_DAY}"))
        if since_day > until_day or (until_day - since_day).days > 366:
            raise Refused(error(400, "since must be before until, at most a year apart"))
        start = datetime.combine(since_day, time.min, tzinfo=UTC)
        return start, datetime.combine(until_day + timedelta(days=1), time.min, tzinfo=UTC)

    async def _report(self, request: web.Request) -> Any:
        refused = self._admin_guard(request)
        if refused:
            return refused
        try:
            since, until = self._period(request)
        except Refused as exc:
            return exc.response
        return await asyncio.to_thread(build_report, self.service.store, since, until, self.service.nudges)

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
