"""Three replicas on one PostgreSQL behind nginx, under signed Slack load, with faults.

    python bench/cluster.py [--rate 200] [--seconds 20] [--teams 0.5]
                            [--fault none|postgres|slowdb|kill|rolling] [--outage 10] [--bare]

Starts a throwaway PostgreSQL server, a local stand-in for Slack's Web API, three
`advisor serve` processes and nginx (Debian's package) load-balancing them on 127.0.0.1, then
sends distinct signed message events through nginx at a fixed rate for a fixed time, optionally
with a fault in the middle:

- postgres: the database is stopped for --outage seconds, then started again;
- slowdb: for --outage seconds every round trip to the database takes --db-delay seconds more
  (bench/delay_proxy.py between the replicas and PostgreSQL);
- kill: one replica is killed (SIGKILL) and stays down; with --restart it starts again on the
  same data directory after --outage seconds (a container restarted in its pod) and answers
  what its journal holds;
- rolling: the replicas are restarted one by one (SIGTERM, wait, start, wait until ready).

With --teams F, that share of the events are Teams message activities (to /api/messages, answered
through a stand-in Bot Connector); the replicas then run in development mode, since Teams
authentication needs Azure AD, which is out of reach here.

Prints answers per second, ack latency p50/p99, failed requests, answers Slack and Teams received
and log rows written against requests sent, the largest log backlog a replica reported, and how
often a replica's event loop ran more than 100 ms late. With --bare it also runs three bare
slack-bolt apps that only acknowledge, behind the same nginx, and prints the advisor's throughput
against theirs.
Every loop is bounded in count and time, and all traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import uvloop

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cluster_faults import fault_for  # noqa: E402
from cluster_load import SECRET, answers, load  # noqa: E402
from cluster_processes import Nginx, Replica  # noqa: E402
from cluster_report import report, settle  # noqa: E402
from cluster_sampling import CpuSampler, Sampler  # noqa: E402

from adapters.cli.processes import free_port  # noqa: E402
from bot.querylog.sql import SqlQueryLog  # noqa: E402
from tests.pgserver import PostgresServer, find_pg_bin  # noqa: E402


async def main_async(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="advisor-cluster-"))
    pg = PostgresServer(find_pg_bin() or Path("/usr/lib/postgresql/15/bin"))
    pg.init()
    pg.start()
    pg.wait_ready()
    # With --fault slowdb the replicas reach PostgreSQL through a proxy that slows it down on
    # a signal; otherwise directly, so that the proxy's own work does not load the machine.
    proxy, proxy_port = None, pg.port
    if args.fault == "slowdb":
        proxy_port = free_port()
        proxy = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "delay_proxy.py"), str(proxy_port), str(pg.port)]
            + [str(args.db_delay)],
            stdout=subprocess.DEVNULL,
        )
    try:
        await run(args, work, pg, proxy, proxy_port)
    finally:
        if proxy is not None:
            proxy.terminate()
            proxy.wait(10)
        pg.destroy()


async def run(
    args: argparse.Namespace,
    work: Path,
    pg: PostgresServer,
    proxy: subprocess.Popen[bytes] | None,
    proxy_port: int,
) -> None:
    url = pg.create_database("advisor")
    SqlQueryLog(url).upgrade()
    # The stand-ins for Slack and the Bot Connector run in a process of their own, so that
    # recording answers does not slow the load generator's measurements.
    api_port, connector_port = free_port(), free_port()
    stand_ins = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "stand_ins.py"), str(api_port), str(connector_port)]
        + [str(args.api_delay)],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                await answers(api_port)
                break
            except aiohttp.ClientError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)
        await scenario(args, work, pg, proxy, proxy_port, url, api_port, connector_port)
    finally:
        stand_ins.terminate()
        stand_ins.wait(10)


async def scenario(
    args: argparse.Namespace,
    work: Path,
    pg: PostgresServer,
    proxy: subprocess.Popen[bytes] | None,
    proxy_port: int,
    url: str,
    api_port: int,
    connector_port: int,
) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ADVISOR_", "SLACK_", "Microsoft"))}
    env = base | {
        # Teams authentication needs Azure AD (out of reach): with Teams in the mix, the replicas
        # run in development mode, where an empty app id turns it off.
        "ADVISOR_ENV": "development" if args.teams else "production",
        "ADVISOR_TEAMS_ENABLED": "true" if args.teams else "false",
        "ADVISOR_DATABASE_URL": url.replace(f":{pg.port}/", f":{proxy_port}/"),
        "ADVISOR_REPLICAS": "3",
        "ADVISOR_PSEUDONYM_KEY": "cluster-pseudonym-key-" * 2,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": "xoxb-cluster",
        "ADVISOR_SLACK_API_URL": f"http://127.0.0.1:{api_port}/api/",
        "ADVISOR_SLACK_CHANNEL_RATE": "1000",
        "ADVISOR_DRAIN_SECONDS": "2",
        "ADVISOR_WEB_ENABLED": "false",
        "ADVISOR_ACCESS_LOG": "false",
        "ADVISOR_EVENT_LOOP": args.event_loop,
        # A killed replica's messages are taken over once their leases lapse: shorter leases
        # for that run, so it ends sooner; the default (60 s) otherwise.
        "ADVISOR_ANSWER_LEASE_SECONDS": "15" if args.fault == "kill" else "60",
    }
    replicas = []
    for n in range(3):
        replica = Replica(
            env | {"ADVISOR_DATA_DIR": str(work / f"r{n}")},
            [sys.executable, "-m", "adapters.cli", "serve", "--port", "{port}"],
            work / f"r{n}.log",
        )
        replica.start()
        replicas.append(replica)
    nginx = Nginx(work, [r.port for r in replicas])
    try:
        async with aiohttp.ClientSession() as session:
            for replica in replicas:
                await replica.ready(session)
        await asyncio.sleep(0.5)

        run = str(int(time.time()) % 100000)
        sampler = Sampler(replicas, url, every=max(1.0, args.seconds / 100))
        sampling = asyncio.create_task(sampler.run(args.seconds))
        cpu = CpuSampler(replicas)
        cpu.start()
        result = await load(
            f"http://127.0.0.1:{nginx.port}",
            args.rate,
            args.seconds,
            run,
            fault_for(args, pg, proxy, replicas),
            args.teams,
            f"http://127.0.0.1:{connector_port}/",
        )
        store = SqlQueryLog(url)
        rows = await settle(result, api_port, store)
        cpu.stop()
        await report(args, work, result, rows, store, api_port, replicas, cpu, sampler, sampling)
    finally:
        nginx.stop()
        for replica in replicas:
            replica.stop()
    if args.bare:
        await compare_with_bare(args, base, work, result)


async def compare_with_bare(
    args: argparse.Namespace, base: dict[str, str], work: Path, result: dict[str, Any]
) -> None:
    """Three bare slack-bolt apps that only acknowledge, behind the same nginx: the advisor's
    throughput against theirs."""
    bare = [
        Replica(
            base | {"SLACK_SIGNING_SECRET": SECRET, "ADVISOR_EVENT_LOOP": args.event_loop},
            [sys.executable, "bench/bare_bolt.py", "{port}"],
        )
        for _ in range(3)
    ]
    for replica in bare:
        replica.start()
    (work / "bare").mkdir()
    nginx = Nginx(work / "bare", [r.port for r in bare])
    try:
        async with aiohttp.ClientSession() as session:
            for replica in bare:
                await replica.ready(session)
        baseline = await load(f"http://127.0.0.1:{nginx.port}", args.rate, args.seconds, "b", None)
        print(
            f"bare slack-bolt x3: ack p50 {baseline['p50']:.1f} ms  p99 {baseline['p99']:.1f} ms; "
            f"{baseline['acks_per_s']:.1f} acks/s; failed {baseline['failures']}"
        )
        print(f"advisor / bare throughput: {result['acks_per_s'] / baseline['acks_per_s']:.2f}")
    finally:
        nginx.stop()
        for replica in bare:
            replica.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--api-delay", type=float, default=0.1, help="seconds the stand-in Slack Web API takes per call"
    )
    parser.add_argument("--fault", choices=["none", "postgres", "slowdb", "kill", "rolling"], default="none")
    parser.add_argument(
        "--outage", type=float, default=10.0, help="seconds the fault lasts (database or replica down)"
    )
    parser.add_argument("--restart", action="store_true", help="kill: start the replica again after --outage")
    parser.add_argument("--db-delay", type=float, default=5.0, help="seconds added per round trip (slowdb)")
    parser.add_argument("--teams", type=float, default=0.0, help="share of events sent as Teams activities")
    parser.add_argument("--bare", action="store_true")
    parser.add_argument(
        "--event-loop", choices=["uvloop", "asyncio"], default="uvloop", help="replicas' and bare apps' loop"
    )
    args = parser.parse_args()
    if args.rate * args.seconds > 100_000 or args.seconds > 1_900:
        raise SystemExit("keep a run under 100,000 events and 1,900 s (a 30-minute soak fits)")
    # The load generator on uvloop too: less of the machine for the instrument, more for the
    # replicas it measures.
    uvloop.run(main_async(args))


if __name__ == "__main__":
    main()
