"""The Slack adapter: to_query() from events, commands and clicks; Block Kit back.

Slack wants an acknowledgement within three seconds and retries up to three times, and one
message can arrive both as ``app_mention`` and ``message``. So every listener acknowledges at
once and answers in a background task; a replica drops deliveries it has already seen, and the
database's delivery claim (keyed by workspace, channel and message time stamp) decides between
replicas, so each question gets one reply and one log row, and a retry whose original never
arrived is still answered. A question is written to a journal on local disk before it is
acknowledged: a process killed before its claim lands leaves it to the next process on the same
data directory (:mod:`adapters.slack.held`). Payloads are read in :mod:`adapters.slack.events`.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings, secret
from bot.service import Service
from bot.tickets.phrases import load_ticket_phrases

from ..digest import weekly_digest
from ..tasks import Tasks, TtlSet
from .agent import Agent
from .answers import Answers
from .blocks import ACTION
from .bolt import ClockedVerification, quiet_logger, repair_payload
from .delivery import Delivery, retry_handlers, sdk_logger
from .digest import SlackDigest
from .events import action_value
from .held import HeldMessages
from .ingress import Ingress
from .nudge import SlackNudge, is_nudge_command
from .people import People
from .ticketblocks import ANSWER_VIEW, ASK, CONFIRM_VIEW
from .tickets import SlackTickets

__all__ = ["SlackAdapter"]

log = logging.getLogger(__name__)


class SlackAdapter:
    def __init__(self, service: Service, settings: Settings, clock: Callable[[], float] = time.time) -> None:
        signing_secret, token = secret(settings.slack.signing_secret), secret(settings.slack.bot_token)
        self.service = service
        self.advisor = service.advisor
        # Socket Mode alone has no HTTP route, and so no signature to check.
        self.ingress = Ingress(signing_secret, settings.max_body_bytes, clock) if signing_secret else None
        self.client = AsyncWebClient(
            token=token,
            base_url=settings.slack.api_url,
            timeout=10,
            retry_handlers=retry_handlers(),
            logger=sdk_logger(),
        )
        self.delivery = Delivery(self.client, settings.slack.channel_rate, settings.slack.response_hosts)
        self.tasks = Tasks(settings.max_inflight, settings.answer_concurrency)
        self.people = People(self.client)
        self.agent = Agent(service, self.delivery, self.people) if settings.slack.agent_view else None
        self.nudge = SlackNudge(service, self.delivery, self.people, settings.slack.nudge)
        phrases = load_ticket_phrases(settings.knowledge_dir, service.advisor.knowledge.topics)
        self.tickets = SlackTickets(
            service.desk,
            phrases,
            self.client,
            self.delivery,
            self.tasks,
            settings.slack.owner_channel,
            settings.ticket_retry_seconds,
            settings.answer_sweep_seconds,
            settings.slack.owner_routes,
            service.teacher,
            self.people,
        )
        self.digest = weekly_digest(
            "slack",
            service,
            settings,
            settings.slack.owner_channel,
            SlackDigest(self.client, settings.slack.owner_channel, settings.public_url).post,
            clock,
        )
        self.answers = Answers(
            self.advisor, self.delivery, self.tasks, lambda d: self.held.claims(d), self.agent, phrases
        )
        self.held = HeldMessages(service, settings, self.tasks, self.answers.message)
        self.seen = TtlSet(ttl=3600, size=100_000, clock=time.monotonic)
        self.bot_user_id: str | None = None
        self._token = token
        self.bolt = AsyncApp(
            signing_secret=signing_secret,
            client=self.client,
            authorize=self._authorizer(),
            ssl_check_enabled=False,  # handled by Ingress, which never skips verification
            request_verification_enabled=False,  # re-added below with the server's clock
            ignoring_self_events_enabled=False,  # this adapter drops bot and own messages itself
            # Listeners run before the response leaves (each only journals, spawns and acks):
            # Bolt acknowledges events by itself, so otherwise the acknowledgement could leave
            # before a question is in the journal.
            process_before_response=True,
            logger=quiet_logger(),
        )
        # Bolt checks the signature again (Ingress already did), on the same clock.
        if signing_secret:
            self.bolt.use(ClockedVerification(signing_secret, clock))
        self.bolt.use(repair_payload)
        self.bolt.event("app_mention")(self._on_mention)
        self.bolt.event("message")(self._on_message)
        self.bolt.event("app_home_opened")(self._on_home)
        self.bolt.event("assistant_thread_started")(self._on_thread_started)
        # The manifest names the command /advisor; a workspace may rename it, so any is ours.
        self.bolt.command(re.compile("^/"))(self._on_command)
        self.bolt.action(re.compile("^" + re.escape(ACTION)))(self._on_action)
        self.bolt.view(CONFIRM_VIEW)(self._on_confirm)
        self.bolt.view(ANSWER_VIEW)(self._on_answer)

    def mount(self, app: web.Application) -> None:
        if self.ingress is not None:
            app.router.add_post("/slack/events", self.handle)
        app.on_startup.append(self._startup)
        app.on_shutdown.append(self._shutdown)

    async def _startup(self, _app: web.Application) -> None:
        # One connection pool for every Web API call (slack-sdk opens a session per call otherwise).
        self.client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
        self.held.start()
        self.tickets.start()
        if self.digest is not None:
            self.digest.start()
        try:
            found = await asyncio.wait_for(self.client.auth_test(), timeout=10)
            self.bot_user_id = found.get("user_id")
        except Exception as exc:  # noqa: BLE001 - Slack may be unreachable at start: carry on
            log.warning(
                "Slack auth.test failed at start (%s); own messages are told by bot_id", type(exc).__name__
            )

    async def _shutdown(self, _app: web.Application) -> None:
        self.held.stop_sweeping()
        if self.digest is not None:
            await self.digest.stop()
        await self.tickets.stop()
        left = await self.tasks.drain(timeout=20)
        await asyncio.to_thread(self.service.writer.flush, 5)
        await self.held.close()
        if left:
            log.warning("%d Slack answers still running at shutdown", left)
        if self.client.session is not None:
            await self.client.session.close()

    def _authorizer(self) -> Callable[..., Any]:
        """One workspace, one bot token: no API call per request (Slack may be down)."""

        async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
            return AuthorizeResult(
                enterprise_id=enterprise_id,
                team_id=team_id,
                bot_token=self._token,
                bot_user_id=self.bot_user_id,
            )

        return authorize

    async def handle(self, request: web.Request) -> web.StreamResponse:
        assert self.ingress is not None, "mounted only with a signing secret"
        verdict = await self.ingress.check(request)
        if verdict.refusal is not None:
            return verdict.refusal
        payload = verdict.payload or {}
        if self.tasks.full():
            # No X-Slack-No-Retry: Slack should try again when there is room.
            return web.json_response({"error": "busy, retry later"}, status=503)
        if not self._first_sight(payload):
            return web.Response(status=200)
        if request.headers.get("X-Slack-Retry-Num"):
            log.info(
                "Slack retry %s (%s) of %s",
                request.headers.get("X-Slack-Retry-Num"),
                request.headers.get("X-Slack-Retry-Reason", "?"),
                payload.get("event_id"),
            )
        try:
            bolt_request = AsyncBoltRequest(
                body=verdict.body.decode("utf-8"),
                query=request.query_string,
                headers=request.headers,  # type: ignore[arg-type]
            )
            response = await self.bolt.async_dispatch(bolt_request)
        except Exception:  # noqa: BLE001 - the adapter's one catch-all; never the body in the log
            log.exception("Slack request failed")
            return web.json_response({"error": "internal error"}, status=500)
        return await to_aiohttp_response(response)

    def _first_sight(self, payload: dict[str, Any]) -> bool:
        """False for an event or a slash command this replica has already taken: Slack retries
        events, and a replayed command (the same signed body again) has the same trigger id."""
        if "command" in payload:
            trigger = payload.get("trigger_id")
            return not trigger or self.seen.add(f"command:{payload.get('team_id')}:{trigger}")
        if payload.get("type") != "event_callback":
            return True
        found = payload.get("event")
        event: dict[str, Any] = found if isinstance(found, dict) else {}
        keys = [f"event:{payload.get('event_id')}"]
        if event.get("channel") and event.get("ts"):
            keys.append(f"message:{payload.get('team_id')}:{event['channel']}:{event['ts']}")
        return self.seen.add(*keys)

    # -- listeners: acknowledge, then answer in the background --------------------------------

    # A question is journaled (in _spawn_message) before its acknowledgement leaves: Bolt sends
    # the response once the listener has returned (process_before_response).
    async def _on_mention(self, ack: Any, event: dict[str, Any], body: dict[str, Any]) -> None:
        self._spawn_message(event, body)
        # Slack sends a message that mentions the advisor as app_mention and as message, and
        # only the first is taken: the nudge looks at the mention too.
        in_channel = str(event.get("channel") or "")[:1] in ("C", "G")
        self._spawn_nudge(event | {"channel_type": "channel"} if in_channel else event, body)
        await ack()

    async def _on_message(self, ack: Any, event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("channel_type") == "im":
            self._spawn_message(event, body)
        else:
            self._spawn_nudge(event, body)
        await ack()

    async def _on_home(self, ack: Any, event: dict[str, Any]) -> None:
        await ack()
        user = event.get("user")
        if event.get("tab") == "home" and user:
            self.tasks.spawn(self.answers.home(user), "slack-home")
        elif event.get("tab") == "messages" and user and self.agent is not None:
            self.tasks.spawn(self.agent.opened(str(event.get("channel") or ""), user), "slack-prompts")

    async def _on_thread_started(self, ack: Any, event: dict[str, Any]) -> None:
        await ack()
        thread = event.get("assistant_thread")
        if isinstance(thread, dict) and self.agent is not None:
            work = self.agent.opened(
                str(thread.get("channel_id") or ""), str(thread.get("user_id") or ""), thread.get("thread_ts")
            )
            self.tasks.spawn(work, "slack-prompts")

    async def _on_command(self, ack: Any, command: dict[str, Any]) -> None:
        await ack()
        if is_nudge_command(str(command.get("text") or "")):
            self.tasks.spawn(self.nudge.command(command), "slack-nudge-command")
            return
        self.tasks.spawn(self._command(command), "slack-command")

    async def _command(self, command: dict[str, Any]) -> None:
        if not await self.tickets.command(command, str(command.get("text") or "")):
            await self.answers.command(command)

    async def _on_action(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        kind = str(action.get("action_id", ""))[len(ACTION) :]
        if kind == ASK:
            self.tasks.spawn(self.tickets.ask_clicked(body, action_value(action)), "slack-ticket")
        elif kind.startswith("ticket-"):
            self.tasks.spawn(self.tickets.owner_clicked(body, kind, action_value(action)), "slack-ticket")
        else:
            self.tasks.spawn(self.answers.action(body, action), "slack-action")

    # A modal's submission is answered in the acknowledgement itself: an error under a field
    # keeps the modal open; nothing closes it.
    async def _on_confirm(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        problem = await self.tickets.submitted(body.get("user") or {}, view)
        await (ack(response_action="errors", errors={"question": problem}) if problem else ack())

    async def _on_answer(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        problem = await self.tickets.answered(body.get("user") or {}, view)
        await (ack(response_action="errors", errors={"answer": problem}) if problem else ack())

    def _spawn_nudge(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if not self.nudge.wanted(event) or (self.bot_user_id and event.get("user") == self.bot_user_id):
            return
        self.tasks.spawn(self.nudge.consider(event, str(body.get("team_id") or "")), "slack-nudge")

    def _spawn_message(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        # Edits, deletions, bot posts and the advisor's own messages are not questions.
        if event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return
        if self.bot_user_id and event.get("user") == self.bot_user_id:
            return
        team = str(body.get("team_id") or "")
        self.held.note(team, event)
        self.tasks.spawn(self.held.answer(event, team), "slack-message")
