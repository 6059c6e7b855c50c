"""A bare slack-bolt app that acknowledges message events and does nothing: the yardstick for
bench/cluster.py. Usage: python bench/bare_bolt.py PORT (SLACK_SIGNING_SECRET in the environment)."""

from __future__ import annotations

import asyncio
import os
import sys

import uvloop
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult


async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
    return AuthorizeResult(
        enterprise_id=enterprise_id, team_id=team_id, bot_token="xoxb-bare", bot_user_id="UBARE"
    )


bolt = AsyncApp(signing_secret=os.environ["SLACK_SIGNING_SECRET"], authorize=authorize)


@bolt.event("message")
async def on_message(ack) -> None:  # type: ignore[no-untyped-def]
    await ack()


async def events(request: web.Request) -> web.Response:
    return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))


async def ready(_request: web.Request) -> web.Response:
    return web.json_response({"ready": True})


app = web.Application()
app.router.add_post("/slack/events", events)
app.router.add_get("/readyz", ready)

if __name__ == "__main__":
    # The same event loop as the advisor's replicas (ADVISOR_EVENT_LOOP, uvloop by default).
    own = os.environ.get("ADVISOR_EVENT_LOOP") == "asyncio"
    loop = asyncio.new_event_loop() if own else uvloop.new_event_loop()
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None, loop=loop)
