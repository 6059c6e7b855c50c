"""The stand-ins for Slack's Web API and the Bot Connector, in a process of their own.

    python bench/stand_ins.py SLACK_PORT TEAMS_PORT API_DELAY

bench/cluster.py starts this so that recording the replicas' answers does not share the load
generator's event loop (which would add its own delays to the acknowledgements it measures).
``GET /stats`` on the Slack port: how many answers each received, and when (monotonic clock,
which is the same for every process on this machine).
"""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import uvloop
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.slack_api import SlackApi  # noqa: E402
from tests.teamskit import Connector  # noqa: E402


async def main(slack_port: int, teams_port: int, delay: float) -> None:
    api, connector = SlackApi(delay=delay), Connector(port=teams_port)

    async def stats(_request: web.Request) -> web.Response:
        posted = [c.at for c in api.calls if c.method == "chat.postMessage"]
        return web.json_response({"slack_posts": posted, "teams_replies": len(connector.replies)})

    slack_app = api.app()
    slack_app.router.add_get("/stats", stats)
    runners = [web.AppRunner(slack_app, access_log=None), web.AppRunner(connector.app(), access_log=None)]
    for runner, port in zip(runners, (slack_port, teams_port), strict=True):
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    for runner in runners:
        await runner.cleanup()


if __name__ == "__main__":
    uvloop.run(main(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])))
