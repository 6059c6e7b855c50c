"""The cluster benchmark's load: signed Slack events, and Teams activities, at a fixed rate."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from typing import Any

import aiohttp
from slack_load import QUESTIONS, event, percentile

from tests.live import signed_headers
from tests.teamskit import activity

SECRET = "cluster-signing-secret"


def teams_activity(n: int, run: str, service_url: str) -> bytes:
    base = activity("message_personal")
    return json.dumps(
        base
        | {
            "id": f"{run}{n}",
            "serviceUrl": service_url,
            "text": QUESTIONS[n % len(QUESTIONS)],
            "from": base["from"] | {"id": f"29:user{n % 500}", "aadObjectId": None},
            "conversation": base["conversation"] | {"id": f"a:conversation{n % 200}"},
        }
    ).encode()


async def load(  # type: ignore[no-untyped-def]
    base: str, rate: float, seconds: float, run: str, fault, teams: float = 0.0, service_url: str = ""
) -> dict[str, Any]:
    """Send ``rate`` events a second for ``seconds``; every ``1/teams``-th one is a Teams activity."""
    latencies: dict[str, list[float]] = {"slack": [], "teams": []}
    sent_at: list[float] = []
    failures = 0
    outcomes: Counter[str] = Counter()
    total = int(rate * seconds)
    every = round(1 / teams) if teams > 0 else 0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=500)) as session:

        async def send(n: int) -> None:
            nonlocal failures
            channel = "teams" if every and n % every == 0 else "slack"
            if channel == "teams":
                body = teams_activity(n, run, service_url)
                url, headers = f"{base}/api/messages", {"Content-Type": "application/json"}
            else:
                body = event(n, run)
                url, headers = f"{base}/slack/events", dict(signed_headers(SECRET, int(time.time()), body))
                sent_at.append(time.monotonic())
            started = time.perf_counter()
            try:
                async with session.post(
                    url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=20)
                ) as response:
                    await response.read()
                    failures += response.status not in (200, 201)
                    outcomes[f"{channel} {response.status}"] += 1
            except (TimeoutError, aiohttp.ClientError) as exc:
                failures += 1
                outcomes[f"{channel} {type(exc).__name__}"] += 1
            latencies[channel].append((time.perf_counter() - started) * 1000)

        began = time.perf_counter()
        tasks = []
        fault_task = asyncio.create_task(fault(session)) if fault else None
        for n in range(total):
            await asyncio.sleep(max(0.0, began + n / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(send(n)))
        await asyncio.gather(*tasks)
        if fault_task:
            await fault_task
        elapsed = time.perf_counter() - began
    slack = latencies["slack"]
    return {
        "sent": total,
        "teams": len(latencies["teams"]),
        "failures": failures,
        "outcomes": dict(outcomes),
        "sent_at": sent_at,
        "p50": percentile(slack, 50),
        "p99": percentile(slack, 99),
        "max": max(slack, default=0.0),
        "teams_p99": percentile(latencies["teams"], 99) if latencies["teams"] else 0.0,
        "teams_max": max(latencies["teams"], default=0.0),
        "acks_per_s": (total - failures) / elapsed,
    }


async def answers(api_port: int) -> dict[str, Any]:
    """What the stand-ins received: Slack posts (their times) and Teams replies."""
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{api_port}/stats") as response:
            return dict(await response.json())
