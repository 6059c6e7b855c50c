"""The cluster benchmark's processes: nginx in front, and the replicas behind it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from pathlib import Path

import aiohttp

from adapters.cli.processes import free_port

ROOT = Path(__file__).resolve().parent.parent


class Nginx:
    def __init__(self, workdir: Path, ports: list[int]) -> None:
        self.port = free_port()
        self.dir = workdir / "nginx"
        self.dir.mkdir()
        servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=0;" for p in ports)
        (self.dir / "nginx.conf").write_text(f"""
worker_processes 1;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {self.dir}/body; proxy_temp_path {self.dir}/proxy;
  fastcgi_temp_path {self.dir}/fastcgi; uwsgi_temp_path {self.dir}/uwsgi; scgi_temp_path {self.dir}/scgi;
  upstream advisor {{
{servers}
    keepalive 64;
  }}
  server {{
    listen 127.0.0.1:{self.port};
    location / {{
      proxy_pass http://advisor;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout http_502 http_503 non_idempotent;
      proxy_next_upstream_tries 3;
      proxy_connect_timeout 2s;
      proxy_read_timeout 10s;
    }}
  }}
}}
""")
        self.process = subprocess.Popen(
            ["nginx", "-c", str(self.dir / "nginx.conf"), "-p", str(self.dir), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


class Replica:
    def __init__(self, env: dict[str, str], command: list[str], log: Path | None = None) -> None:
        self.port = free_port()
        self.env = env
        self.log = log
        self.command = [part.replace("{port}", str(self.port)) for part in command]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log or os.devnull, "ab") as out:
            self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=out, stderr=out)

    async def ready(self, session: aiohttp.ClientSession, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                async with session.get(f"http://127.0.0.1:{self.port}/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
        raise SystemExit(f"replica on {self.port} did not become ready")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            started = time.monotonic()
            self.process.send_signal(sig)
            try:
                self.process.wait(40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
                print(f"replica on {self.port} did not stop within 40 s of signal {sig}: killed")
            else:
                if time.monotonic() - started > 10:
                    print(f"replica on {self.port} took {time.monotonic() - started:.0f} s to stop")
