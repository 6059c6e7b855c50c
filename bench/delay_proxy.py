"""A TCP proxy on 127.0.0.1 that can make every round trip to a server slower.

    python bench/delay_proxy.py LISTEN_PORT TARGET_PORT SECONDS

Forwards each connection to TARGET_PORT. While switched on (SIGUSR1; SIGUSR2 switches off) it
holds back everything the server sends by SECONDS, in order, so each request/response round
trip takes that much longer; nothing is dropped. bench/cluster.py puts it between the replicas
and PostgreSQL for ``--fault slowdb``. It runs as its own process so its work does not share
the load generator's event loop.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import time

import uvloop


class Proxy:
    def __init__(self, target: int, seconds: float) -> None:
        self.target = target
        self.seconds = seconds
        self.slow = False

    async def handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            self._pipe(client_reader, server_writer, delayed=False),
            self._pipe(server_reader, client_writer, delayed=True),
            return_exceptions=True,
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delayed: bool) -> None:
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def send() -> None:
            while True:
                due, data = await queue.get()
                if not data:
                    break
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                writer.write(data)
                await writer.drain()

        sender = asyncio.create_task(send())
        try:
            while data := await reader.read(65536):
                hold = self.seconds if delayed and self.slow else 0.0
                queue.put_nowait((time.monotonic() + hold, data))
        finally:
            queue.put_nowait((0.0, b""))
            await sender
            writer.close()


async def main(listen: int, target: int, seconds: float) -> None:
    proxy = Proxy(target, seconds)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, lambda: setattr(proxy, "slow", True))
    loop.add_signal_handler(signal.SIGUSR2, lambda: setattr(proxy, "slow", False))
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", listen)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    uvloop.run(main(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])))
