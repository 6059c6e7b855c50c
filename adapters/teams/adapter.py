"""The Teams adapter: to_query() from activities and card actions; Adaptive Cards back."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web
from botbuilder.core import (
    MessageFactory,
    TurnContext,
    serializer_helper,
)
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, TextFormatTypes
from botframework.connector.auth import (
    AuthenticationConfiguration,
    BotFrameworkAuthenticationFactory,
    PasswordServiceClientCredentialFactory,
    ServiceClientCredentialsFactory,
)
from yarl import URL

from bot.config import Settings, secret
from bot.service import Service
from bot.text import detect_lang
from bot.tickets.phrases import load_ticket_phrases

from ..channel import BodyRefused, read_json
from ..commands import Claims
from ..digest import weekly_digest
from ..repair import repaired
from ..tasks import Tasks
from .auth import AdvisorAuthentication, OpenIdKeys, TokenValidator
from .digest import TeamsDigest
from .handler import AdvisorBot
from .ownercards import Outbound
from .tickets import TeamsTickets
from .unfurl import LinkCards

__all__ = ["TeamsAdapter"]

log = logging.getLogger(__name__)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _missing(body: dict[str, Any]) -> str | None:
    """What an activity lacks that every reply needs: a conversation, and a serviceUrl to send
    to over HTTP(S). In production the token pins the serviceUrl; in development without an app
    id nothing else would stop a ``file://`` one."""
    conversation = body.get("conversation")
    if not isinstance(conversation, dict) or not isinstance(conversation.get("id"), str):
        return "the activity has no conversation id"
    url = body.get("serviceUrl")
    try:
        parsed = URL(url) if isinstance(url, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        return "serviceUrl must be an http(s) URL"
    return None


class TeamsAdapter:
    def __init__(
        self,
        service: Service,
        settings: Settings,
        credentials: ServiceClientCredentialsFactory | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.service = service
        self.advisor = service.advisor
        self.settings = settings
        self.rejected_tenants = 0
        self.claims = Claims(
            service, settings.claim_timeout_seconds, settings.answer_lease_seconds, "Teams", pace=True
        )
        teams = settings.teams
        app_id = teams.app_id.strip()
        credentials = credentials or PasswordServiceClientCredentialFactory(
            app_id or None,
            secret(teams.app_password) or None,
            teams.app_tenant_id or None,
        )
        inner = BotFrameworkAuthenticationFactory.create(
            credential_factory=credentials, auth_configuration=AuthenticationConfiguration()
        )
        validator = None
        if app_id:
            emulator = OpenIdKeys(teams.emulator_openid_url) if settings.env == "development" else None
            validator = TokenValidator(app_id, OpenIdKeys(teams.openid_url), emulator, clock)
        else:
            log.warning("TEAMS WITHOUT AUTHENTICATION: MicrosoftAppId is empty (development only)")
        self.auth = AdvisorAuthentication(inner, validator)
        self.cloud = CloudAdapter(self.auth)
        self.cloud.on_turn_error = self._on_turn_error
        self.tasks = Tasks(settings.max_inflight, settings.answer_concurrency)
        outbound = Outbound(self.auth, app_id, teams.service_url)
        self.tickets = TeamsTickets(
            service.desk,
            load_ticket_phrases(settings.knowledge_dir, self.advisor.knowledge.topics),
            outbound,
            self.tasks,
            teams.owner_channel,
            settings.ticket_retry_seconds,
            settings.answer_sweep_seconds,
            teams.owner_routes,
            service.teacher,
        )
        self.digest = weekly_digest(
            "teams",
            service,
            settings,
            teams.owner_channel,
            TeamsDigest(outbound, teams.owner_channel, settings.public_url).post,
            clock,
        )
        self.bot = AdvisorBot(self.advisor, self.claims, LinkCards(service, teams.nudge), self.tickets)

    def mount(self, app: web.Application) -> None:
        app.router.add_post("/api/messages", self.handle)
        app.on_startup.append(self._startup)
        app.on_shutdown.append(self._shutdown)
        app.on_cleanup.append(self._cleanup)

    async def _startup(self, _app: web.Application) -> None:
        self.tickets.start()
        if self.digest is not None:
            self.digest.start()

    async def _shutdown(self, _app: web.Application) -> None:
        if self.digest is not None:
            await self.digest.stop()
        await self.tickets.stop()
        await self.tasks.drain(timeout=20)
        self.claims.close()

    async def _cleanup(self, _app: web.Application) -> None:
        await self.auth.close()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        try:
            body = repaired(await read_json(request, self.settings.max_body_bytes))
        except BodyRefused as refused:
            return _error(refused.status, refused.message)
        if not isinstance(body, dict) or not isinstance(body.get("type"), str) or not body["type"]:
            return _error(400, "not a Bot Framework activity")
        missing = _missing(body)
        if missing:
            return _error(400, missing)
        try:
            activity = Activity().deserialize(body)
            header = request.headers.get("Authorization", "")
            authenticated = await self.auth.authenticate_request(activity, header)
        except PermissionError as exc:
            log.info("Teams request refused: %s", exc)
            return _error(401, "unauthorized")
        except Exception:  # noqa: BLE001 - a body botbuilder cannot read is a bad request
            return _error(400, "not a Bot Framework activity")
        if not self._tenant_allowed(activity):
            self.rejected_tenants += 1
            return _error(403, "tenant not allowed")
        try:
            # What CloudAdapter.process does after reading the body, without reading,
            # deserializing and authenticating the activity a second time.
            invoke = await self.cloud.process_activity(authenticated, activity, self.bot.on_turn)
            if invoke:
                body = (
                    invoke.body
                    if invoke.body is None or isinstance(invoke.body, dict)
                    else serializer_helper(invoke.body)
                )
                return web.json_response(body, status=invoke.status)
        except web.HTTPException:
            raise
        except Exception:  # noqa: BLE001 - the adapter's one catch-all; never the body in the log
            log.exception("Teams request failed")
            return _error(500, "internal error")
        return web.Response(status=201)

    def _tenant_allowed(self, activity: Activity) -> bool:
        allowed = self.settings.teams.tenants
        if not allowed:
            return True
        channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
        tenant = (channel_data.get("tenant") or {}).get("id") or (
            activity.conversation.tenant_id if activity.conversation else None
        )
        return tenant in allowed

    async def _on_turn_error(self, context: TurnContext, error: Exception) -> None:
        log.error("Teams turn failed (activity %s)", context.activity.id, exc_info=error)
        lang = detect_lang(context.activity.text or "")
        apology = MessageFactory.text(self.advisor.label("apology", lang))
        apology.text_format = TextFormatTypes.plain
        await context.send_activity(apology)
