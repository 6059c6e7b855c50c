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
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.middleware.request_verification.async_request_verification import AsyncRequestVerification
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot import Answer, Query
from bot.config import Settings, secret
from bot.service import Service
from bot.text import detect_lang

from ..channel import FEEDBACK, ask, button_query, labels, record_feedback
from ..commands import command_query
from ..repair import repaired
from ..tasks import Tasks, TtlSet
from .blocks import ACTION, checklist_blocks, home_view, summary_blocks, to_blocks, to_fallback
from .delivery import Delivery, retry_handlers, sdk_logger
from .events import action_lang, action_value, ticked, to_query_text
from .held import HeldMessages
from .ingress import ClockAdapter, Ingress

__all__ = ["SlackAdapter"]

log = logging.getLogger(__name__)

LABELS = ("helpful", "not_helpful", "none_of_these", "checklist", "done", "thanks_feedback", "apology")


class SlackAdapter:
    def __init__(self, service: Service, settings: Settings, clock: Callable[[], float] = time.time) -> None:
        signing_secret, token = secret(settings.slack_signing_secret), secret(settings.slack_bot_token)
        self.service = service
        self.advisor = service.advisor
        # Socket Mode alone has no HTTP route, and so no signature to check.
        self.ingress = Ingress(signing_secret, settings.max_body_bytes, clock) if signing_secret else None
        self.client = AsyncWebClient(
            token=token,
            base_url=settings.slack_api_url,
            timeout=10,
            retry_handlers=retry_handlers(),
            logger=sdk_logger(),
        )
        self.delivery = Delivery(self.client, settings.slack_channel_rate, settings.slack_response_hosts)
        self.tasks = Tasks(settings.max_inflight, settings.answer_concurrency)
        self.held = HeldMessages(service, settings, self.tasks, self._answer_claimed)
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
            logger=_quiet_logger(),
        )
        # Bolt checks the signature again (Ingress already did), on the same clock.
        if signing_secret:
            self.bolt.use(_ClockedVerification(signing_secret, clock))
        self.bolt.use(_repair_payload)
        self.bolt.event("app_mention")(self._on_mention)
        self.bolt.event("message")(self._on_message)
        self.bolt.event("app_home_opened")(self._on_home)
        # The manifest names the command /advisor; a workspace may rename it, so any is ours.
        self.bolt.command(re.compile("^/"))(self._on_command)
        self.bolt.action(re.compile("^" + re.escape(ACTION)))(self._on_action)

    def mount(self, app: web.Application) -> None:
        if self.ingress is not None:
            app.router.add_post("/slack/events", self.handle)
        app.on_startup.append(self._startup)
        app.on_shutdown.append(self._shutdown)

    async def _startup(self, _app: web.Application) -> None:
        # One connection pool for every Web API call (slack-sdk opens a session per call otherwise).
        self.client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
        self.held.start()
        try:
            found = await asyncio.wait_for(self.client.auth_test(), timeout=10)
            self.bot_user_id = found.get("user_id")
        except Exception as exc:  # noqa: BLE001 - Slack may be unreachable at start: carry on
            log.warning(
                "Slack auth.test failed at start (%s); own messages are told by bot_id", type(exc).__name__
            )

    async def _shutdown(self, _app: web.Application) -> None:
        self.held.stop_sweeping()
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
        await ack()

    async def _on_message(self, ack: Any, event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("channel_type") == "im":
            self._spawn_message(event, body)
        await ack()

    async def _on_home(self, ack: Any, event: dict[str, Any]) -> None:
        await ack()
        if event.get("tab") == "home" and event.get("user"):
            self.tasks.spawn(self._publish_home(event["user"]), "slack-home")

    async def _on_command(self, ack: Any, command: dict[str, Any]) -> None:
        await ack()
        self.tasks.spawn(self._answer_command(command), "slack-command")

    async def _on_action(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        self.tasks.spawn(self._answer_action(body, action), "slack-action")

    def _spawn_message(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        # Edits, deletions, bot posts and the advisor's own messages are not questions.
        if event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return
        if self.bot_user_id and event.get("user") == self.bot_user_id:
            return
        team = str(body.get("team_id") or "")
        self.held.note(team, event)
        self.tasks.spawn(self.held.answer(event, team), "slack-message")

    # -- answering ----------------------------------------------------------------------------

    async def _ask(self, query: Query) -> Answer | None:
        async with self.tasks.slot:
            return await ask(self.advisor, query)

    def _labels(self, lang: str) -> dict[str, str]:
        return labels(self.advisor, lang, LABELS)

    def _render(
        self, answer: Answer | None, lang: str, quote: str | None = None
    ) -> tuple[str, list[dict[str, Any]]]:
        if answer is None:
            apology = self._labels(lang)["apology"]
            return apology, [{"type": "section", "text": {"type": "plain_text", "text": apology}}]
        labels = self._labels(answer.lang)
        if answer.steps:
            return to_fallback(answer), checklist_blocks(answer, answer.steps, labels["done"])
        if answer.missed or answer.done:
            return to_fallback(answer), summary_blocks(answer)
        return to_fallback(answer), to_blocks(answer, labels, quote)

    async def _answer_claimed(self, event: dict[str, Any], team: str, delivery: str) -> None:
        channel, ts = event.get("channel", ""), event.get("ts", "")
        text = to_query_text(event.get("text") or "")
        query = Query(
            text,
            channel="slack",
            user_id=event.get("user"),
            workspace_id=team,
            conversation_id=channel,
            delivery_id=delivery,
        )
        answer = await self._ask(query)
        fallback, blocks = self._render(answer, detect_lang(text))
        thread = None if event.get("channel_type") == "im" else (event.get("thread_ts") or ts)
        await self.delivery.post(channel, fallback, blocks, thread_ts=thread)

    async def _answer_command(self, command: dict[str, Any]) -> None:
        delivery = f"slack-command:{command.get('trigger_id')}"
        if command.get("trigger_id") and not await self.held.claims(delivery):
            return  # a replay another replica took
        text = to_query_text(command.get("text") or "")
        common: dict[str, Any] = {
            "channel": "slack",
            "user_id": command.get("user_id"),
            "workspace_id": command.get("team_id"),
            "conversation_id": command.get("channel_id"),
            "delivery_id": delivery,
        }
        query = command_query(text, **common)
        answer = await self._ask(query)
        quote = text if query.topic is None and query.checklist is None else None
        fallback, blocks = self._render(answer, detect_lang(text), quote=quote)
        target = (command.get("channel_id", ""), command.get("user_id", ""))
        await self.delivery.respond(command.get("response_url", ""), fallback, blocks, fallback=target)

    async def _answer_action(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        kind = str(action.get("action_id", ""))[len(ACTION) :]
        value = action_value(action)
        user = (body.get("user") or {}).get("id")
        if kind.startswith("tick:"):
            return  # Slack keeps the ticks in the message until "Done" is pressed
        if kind in FEEDBACK:
            await record_feedback(self.advisor, kind, str(value.get("q", "")), "slack", user)
            lang = detect_lang(json.dumps(body.get("message", {}).get("text", ""), ensure_ascii=False))
            thanks = self._labels(lang)["thanks_feedback"]
            await self._reply(
                body, thanks, [{"type": "section", "text": {"type": "plain_text", "text": thanks}}]
            )
            return
        common: dict[str, Any] = {
            "channel": "slack",
            "user_id": user,
            "lang": action_lang(value),
            "workspace_id": (body.get("team") or {}).get("id"),
        }
        # Buttons are named "topic:ID" and "checklist:ID" (Slack wants action ids unique in a
        # message), and "done".
        button = kind.partition(":")[0] if kind.startswith(("topic:", "checklist:")) else kind
        query = button_query(button, value, ticked(body), **common)
        if query is None:
            return
        answer = await self._ask(query)
        fallback, blocks = self._render(answer, common["lang"] or "en")
        await self._reply(body, fallback, blocks, replace=kind == "done")

    async def _reply(
        self, body: dict[str, Any], text: str, blocks: list[dict[str, Any]], replace: bool = False
    ) -> None:
        """Answer a click where it happened: in the message's thread, or through the
        response_url for ephemeral messages (and to replace a finished checklist)."""
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        user = (body.get("user") or {}).get("id", "")
        container = body.get("container") or {}
        response_url = body.get("response_url")
        if response_url and (replace or container.get("is_ephemeral") or not channel):
            await self.delivery.respond(
                response_url, text, blocks, replace=replace, fallback=(channel, user) if channel else None
            )
            return
        if channel:
            message = body.get("message") or {}
            thread = message.get("thread_ts") or container.get("message_ts")
            await self.delivery.post(channel, text, blocks, thread_ts=thread)

    async def _publish_home(self, user: str) -> None:
        about = await ask(self.advisor, Query("", topic="help", lang="en", user_id=user))
        lists = await ask(self.advisor, Query("", checklist="", lang="en"))
        if about is None or lists is None:
            return  # logged by ask(); the Home tab keeps what it showed
        await self.delivery.publish_home(user, home_view(about, lists, lists.text))


class _ClockedVerification(AsyncRequestVerification):
    """Bolt's signature check, reading time from the server's clock."""

    def __init__(self, signing_secret: str, clock: Callable[[], float]) -> None:
        super().__init__(signing_secret, base_logger=_quiet_logger())
        self._clocked = SignatureVerifier(signing_secret, clock=ClockAdapter(clock))

    @property
    def verifier(self) -> SignatureVerifier:
        return self._clocked


async def _repair_payload(req: AsyncBoltRequest, next_: Callable[[], Awaitable[Any]]) -> Any:
    """After the signature check (which needs the body as sent): the payload every listener
    reads, with text UTF-8 cannot hold repaired (:mod:`adapters.repair`)."""
    req.body = repaired(req.body)
    return await next_()


def _quiet_logger() -> logging.Logger:
    """Bolt logs rejected and unhandled payloads at INFO and WARNING; payloads hold questions,
    so only its errors are kept."""
    logger = logging.getLogger("advisor.slack.bolt")
    logger.setLevel(logging.ERROR)
    return logger
