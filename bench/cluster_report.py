"""The cluster benchmark's figures, printed when the load has been answered."""

from __future__ import annotations

import argparse
import asyncio
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cluster_load import answers
from cluster_processes import Replica
from cluster_sampling import CpuSampler, Sampler, loop_stalls
from slack_load import percentile

from bot.querylog.sql import SqlQueryLog

EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


async def settle(result: dict[str, Any], api_port: int, store: SqlQueryLog, timeout: float = 120) -> int:
    """Wait until every acknowledged event is answered and logged (or ``timeout``); the rows."""
    deadline = asyncio.get_running_loop().time() + timeout
    rows = 0
    while asyncio.get_running_loop().time() < deadline:
        got = await answers(api_port)
        answered = len(got["slack_posts"]) + got["teams_replies"]
        try:
            rows = len(store.questions(*EVER))
        except Exception:  # noqa: BLE001 - the database may still be starting
            rows = 0
        acknowledged = result["sent"] - result["failures"]
        if answered >= acknowledged and rows >= acknowledged:
            break
        await asyncio.sleep(0.5)
    return rows


async def report(
    args: argparse.Namespace,
    work: Path,
    result: dict[str, Any],
    rows: int,
    store: SqlQueryLog,
    api_port: int,
    replicas: list[Replica],
    cpu: CpuSampler,
    sampler: Sampler,
    sampling: asyncio.Task[None],
) -> None:
    cpu.stop()
    stalls = await loop_stalls(replicas)
    print(f"advisor x3 behind nginx, PostgreSQL, fault: {args.fault}")
    sent, failed = result["sent"], result["failures"]
    print(f"sent {sent} at {args.rate:g}/s for {args.seconds:g} s; failed requests {failed}")
    print("responses: " + ", ".join(f"{k} x{v}" for k, v in sorted(result["outcomes"].items())))
    p50, p99, rate = result["p50"], result["p99"], result["acks_per_s"]
    if result["teams"] < sent:
        print(
            f"Slack ack latency p50 {p50:.1f} ms  p99 {p99:.1f} ms  max {result['max']:.0f} ms; "
            f"{rate:.1f} acks/s"
        )
    got = await answers(api_port)
    slack_answers = len(got["slack_posts"])
    if result["teams"]:
        print(
            f"Teams: {result['teams']} activities, answered in the request: p99 "
            f"{result['teams_p99']:.0f} ms, max {result['teams_max']:.0f} ms"
        )
    try:
        channels = Counter(q.channel for q in store.questions(*EVER))
    except Exception:  # noqa: BLE001 - the database may be down still
        channels = Counter()
    print(
        f"answers Slack received {slack_answers}, Teams {got['teams_replies']}; log rows {rows} "
        f"(Slack {channels['slack']}, Teams {channels['teams']}); requests acknowledged {sent - failed}"
    )
    print(stalls)
    logs = sorted(work.glob("r*.log"))
    reports = [
        (path.stem, line)
        for path in logs
        for line in path.read_text(errors="replace").splitlines()
        if re.search(r"event loop (stalled|ran \d+ ms late)", line)
    ]
    print(f"replica logs in {work}/r*.log; stall reports: {len(reports)}")
    for name, line in reports:
        stamp, _, report = line.partition(" WARNING adapters.metrics: ")
        moment = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp()
        print(f"  {name} {stamp[11:]} {report.removesuffix(', in:')}")
        print(f"    the machine's CPU just before: {cpu.around(moment)}")
    print(f"the machine's busiest 0.3 s: {cpu.busiest()}")
    if args.fault == "kill" and args.restart:
        taken = re.findall(r"took over .*", logs[0].read_text(errors="replace"))
        print(f"restarted replica's journal: {'; '.join(taken) or 'nothing taken over'}")
    await sampling
    print(sampler.report())
    # Answers are not tagged with their event: pair the k-th answer with the k-th event sent.
    received = sorted(got["slack_posts"])
    delays = [(r - s) * 1000 for r, s in zip(received, sorted(result["sent_at"]), strict=False)]
    if delays:
        print(
            f"answer delay (event sent to answer received) p50 {percentile(delays, 50):.0f} ms"
            f"  p99 {percentile(delays, 99):.0f} ms"
        )
