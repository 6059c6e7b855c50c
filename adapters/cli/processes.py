"""``advisor serve`` as a process of its own, the one way the tests and the benchmarks start it:
a free port, an environment without the caller's own advisor settings, and a wait for /readyz."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

__all__ = ["ROOT", "clean_env", "free_port", "serve_command", "start_server", "wait_ready"]

ROOT = Path(__file__).resolve().parents[2]
# Settings a caller's environment may hold that must not leak into the server started.
SCRUBBED = ("ADVISOR_", "SLACK_", "Microsoft")


def free_port() -> int:
    """A TCP port nothing listens on now (the server started next binds it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**env: str) -> dict[str, str]:
    """This process's environment without advisor, Slack or Microsoft settings, plus ``env``."""
    return {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED)} | env


def serve_command(port: int) -> list[str]:
    return [sys.executable, "-m", "adapters.cli", "serve", "--port", str(port)]


def start_server(port: int, env: dict[str, str], **popen: Any) -> subprocess.Popen[Any]:
    """``advisor serve`` on ``port`` from the repository, with exactly ``env``; ``popen`` says
    where its output goes (discarded unless told)."""
    popen.setdefault("stdout", subprocess.DEVNULL)
    popen.setdefault("stderr", subprocess.DEVNULL)
    return subprocess.Popen(serve_command(port), cwd=ROOT, env=env, **popen)


def wait_ready(port: int, timeout: float = 60.0) -> bool:
    """True once /readyz on ``port`` answers 200; False when ``timeout`` seconds pass first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.2)
    return False
