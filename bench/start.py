"""Start to ready: how long ``advisor serve`` takes until /readyz answers 200, and its memory.

    python bench/start.py [--matcher hybrid|lexical] [--runs 3]

The first start uses an empty data directory (the examples are embedded and cached); the
following ones reuse it (the cache is read). Prints seconds to ready and the server's resident
memory once ready (from /proc), for each start.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from adapters.cli.processes import free_port  # noqa: E402

ADVISOR = Path(sys.executable).with_name("advisor")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_once(matcher: str, data: str) -> tuple[float, float]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADVISOR_", "SLACK_", "TEAMS_"))} | {
        "ADVISOR_ENV": "development",
        "ADVISOR_DATA_DIR": data,
        "ADVISOR_MATCHER": matcher,
    }
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(ADVISOR), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.perf_counter() - started < 120:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as response:
                    if response.status == 200:
                        return time.perf_counter() - started, rss_mb(server.pid)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if server.poll() is not None:
                raise SystemExit(f"advisor serve exited with {server.returncode}")
            time.sleep(0.05)
        raise SystemExit("advisor serve was not ready within 120 s")
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matcher", choices=["hybrid", "lexical", "centroid"], default="hybrid")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="advisor-start-") as data:
        for run in range(args.runs):
            seconds, rss = start_once(args.matcher, data)
            kind = "empty data directory" if run == 0 else "cache warm"
            print(f"{args.matcher} start {run + 1} ({kind}): ready in {seconds:.2f} s, RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
