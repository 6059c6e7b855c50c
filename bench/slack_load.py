"""Signed Slack events at a fixed rate against a real ``advisor serve`` process.

    python bench/slack_load.py [--rate 50] [--seconds 10]

Starts a local stand-in for Slack's Web API, starts ``advisor serve`` on 127.0.0.1 pointing at
it, sends distinct signed ``message.im`` events at the given rate for the given time, and prints
the acknowledgement latency (p50, p99), answers per second, errors, how many answers Slack
received, and how long questions took from being sent to their answers reaching Slack.
Traffic stays on 127.0.0.1; the run is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.cli.processes import clean_env, free_port, start_server  # noqa: E402
from tests.live import signed_headers  # noqa: E402
from tests.slack_api import SlackApi  # noqa: E402

SECRET = "bench-signing-secret"
QUESTIONS = [
    "may I install the LinkedIn app on my work laptop?",
    "should I join this Facebook group?",
    "who should see my business details?",
    "ולהצטרף לקבוצה בלינקדאין?",
    "can I post a job on linkedin",
]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def event(n: int, run: str = "BENCH") -> bytes:
    """A distinct signed-able message event; ``run`` keeps ids apart between runs."""
    return json.dumps(
        {
            "type": "event_callback",
            "team_id": "T0001",
            "event_id": f"Ev{run}{n}",
            "event_time": 1700000000,
            "event": {
                "type": "message",
                "channel_type": "im",
                "channel": f"D{n % 200:04d}",
                "user": f"U{n % 500:04d}",
                "text": QUESTIONS[n % len(QUESTIONS)],
                "ts": f"17{run}.{n:06d}",
            },
        }
    ).encode()


async def wait_ready(session: aiohttp.ClientSession, url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            async with session.get(url) as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.2)
    raise SystemExit("the server did not become ready")


async def run(rate: float, seconds: float, url: str | None) -> None:
    api = SlackApi()
    runner = web.AppRunner(api.app(), access_log=None)
    await runner.setup()
    api_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", api_port).start()
    port = free_port()
    data = tempfile.mkdtemp(prefix="advisor-bench-")
    env = clean_env(
        ADVISOR_ENV="development",
        ADVISOR_DATA_DIR=data,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_BOT_TOKEN="xoxb-bench",
        ADVISOR_SLACK_API_URL=f"http://127.0.0.1:{api_port}/api/",
        ADVISOR_SLACK_CHANNEL_RATE="1000",
    )
    if url:
        env["ADVISOR_DATABASE_URL"] = url
    server = start_server(port, env)
    try:
        async with aiohttp.ClientSession() as session:
            await wait_ready(session, f"http://127.0.0.1:{port}/readyz")
            total = int(rate * seconds)
            latencies: list[float] = []
            sent_at: dict[str, list[float]] = {}
            answer_ms: list[float] = []
            errors = 0

            async def send(n: int) -> None:
                nonlocal errors
                body = event(n)
                headers = dict(signed_headers(SECRET, int(time.time()), body))
                sent_at.setdefault(json.loads(body)["event"]["channel"], []).append(time.monotonic())
                started = time.perf_counter()
                try:
                    async with session.post(
                        f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers
                    ) as r:
                        await r.read()
                        if r.status != 200:
                            errors += 1
                except aiohttp.ClientError:
                    errors += 1
                latencies.append((time.perf_counter() - started) * 1000)

            began = time.perf_counter()
            pending = []
            for n in range(total):
                target = began + n / rate
                await asyncio.sleep(max(0.0, target - time.perf_counter()))
                pending.append(asyncio.create_task(send(n)))
            await asyncio.gather(*pending)
            deadline = time.monotonic() + 60
            while len(api.of("chat.postMessage")) < total - errors and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - began
            answered = len(api.of("chat.postMessage"))
            # Direct-message answers are not threaded: within each DM channel (one question a
            # second at 200/s over 200 channels) the k-th answer is paired with the k-th question.
            received: dict[str, list[float]] = {}
            for call in api.calls:
                if call.method == "chat.postMessage":
                    received.setdefault(call.payload.get("channel", ""), []).append(call.at)
            for channel, times in received.items():
                for sent, got in zip(sorted(sent_at.get(channel, [])), sorted(times), strict=False):
                    answer_ms.append((got - sent) * 1000)
    finally:
        server.terminate()
        server.wait(30)
        await runner.cleanup()
    print(f"sent {total} signed events at {rate:g}/s for {seconds:g} s")
    print(
        f"ack latency p50 {percentile(latencies, 50):.1f} ms  p99 {percentile(latencies, 99):.1f} ms  "
        f"max {max(latencies):.1f} ms"
    )
    print(f"answers delivered {answered} of {total}, {answered / elapsed:.1f} answers/s, errors {errors}")
    if answer_ms:
        print(
            f"question sent to answer received: p50 {percentile(answer_ms, 50):.0f} ms  "
            f"p99 {percentile(answer_ms, 99):.0f} ms  max {max(answer_ms):.0f} ms  "
            f"({len(answer_ms)} answers matched to their questions)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--postgres", help="a PostgreSQL URL for the query log (default: SQLite)")
    args = parser.parse_args()
    if args.rate * args.seconds > 20_000:
        raise SystemExit("keep a run under 20,000 events")
    asyncio.run(run(args.rate, args.seconds, args.postgres))


if __name__ == "__main__":
    main()
