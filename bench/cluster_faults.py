"""The faults the cluster benchmark injects a third of the way into its run."""

from __future__ import annotations

import argparse
import asyncio
import signal
import subprocess
from collections.abc import Awaitable, Callable

import aiohttp
from cluster_processes import Replica

from tests.pgserver import PostgresServer

Fault = Callable[[aiohttp.ClientSession], Awaitable[None]]


def fault_for(
    args: argparse.Namespace,
    pg: PostgresServer,
    proxy: subprocess.Popen[bytes] | None,
    replicas: list[Replica],
) -> Fault | None:
    """``--fault``'s coroutine, or None for ``none``."""
    if args.fault == "none":
        return None

    async def fault(session: aiohttp.ClientSession) -> None:
        await asyncio.sleep(args.seconds / 3)
        if args.fault == "postgres":
            pg.stop()
            await asyncio.sleep(args.outage)
            pg.start()
            pg.wait_ready()
        elif args.fault == "slowdb" and proxy is not None:
            proxy.send_signal(signal.SIGUSR1)
            await asyncio.sleep(args.outage)
            proxy.send_signal(signal.SIGUSR2)
        elif args.fault == "kill":
            replicas[0].stop(signal.SIGKILL)
            if args.restart:
                await asyncio.sleep(args.outage)
                replicas[0].start()
                await replicas[0].ready(session)
        elif args.fault == "rolling":
            for replica in replicas:
                await asyncio.to_thread(replica.stop)
                replica.start()
                await replica.ready(session)

    return fault
