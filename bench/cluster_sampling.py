"""What the cluster benchmark watches while it runs: memory, database connections, each
replica's metrics and event-loop stalls, and where the machine's CPU went."""

from __future__ import annotations

import asyncio
import bisect
import os
import re
import threading
import time
from datetime import datetime
from pathlib import Path

import aiohttp
from cluster_processes import Replica


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def db_connections(url: str) -> int:
    import psycopg

    with psycopg.connect(url.replace("+psycopg", ""), connect_timeout=2) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
        return int(row[0]) if row else 0


class Sampler:
    """Every ``every`` seconds: each replica's RSS and the database's connection count."""

    def __init__(self, replicas: list[Replica], url: str, every: float) -> None:
        self.replicas, self.url, self.every = replicas, url, every
        self.rss: list[list[float]] = []
        self.connections: list[int] = []
        self.backlog = 0

    async def run(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            await asyncio.sleep(self.every)
            alive = [r.process.pid for r in self.replicas if r.process and r.process.poll() is None]
            self.rss.append([rss_mb(pid) for pid in alive])
            for replica in self.replicas:
                self.backlog = max(self.backlog, int(value(await metrics(replica), "advisor_log_backlog")))
            try:
                self.connections.append(await asyncio.to_thread(db_connections, self.url))
            except Exception:  # noqa: BLE001 - the database may be the fault under test
                pass

    def report(self) -> str:
        if len(self.rss) < 3:
            return "too short to sample memory"
        warm = self.rss[len(self.rss) // 10]  # after the first tenth: imports and caches settled
        last = self.rss[-1]
        drift = max((b - a) / a * 100 for a, b in zip(warm, last, strict=False)) if warm and last else 0.0
        return (
            f"replica RSS after warm-up {', '.join(f'{v:.0f}' for v in warm)} MB, at the end "
            f"{', '.join(f'{v:.0f}' for v in last)} MB (largest drift {drift:+.1f}%); "
            f"database connections at most {max(self.connections, default=0)} "
            f"(pool limit: 3 replicas x (5 + 5 overflow) = 30); largest log backlog {self.backlog}"
        )


class CpuSampler:
    """Every 0.1 s, on a thread of its own: CPU time used so far by each part of the cluster
    (each replica, PostgreSQL's processes, nginx, and the rest of the machine: the load generator,
    the stand-ins, the delay proxy). After the run, :meth:`around` says who had the two cores
    just before a moment, such as a replica's stall report."""

    EVERY = 0.1

    def __init__(self, replicas: list[Replica]) -> None:
        self.replicas = replicas
        self.samples: list[tuple[float, dict[str, float]]] = []
        self.times: list[float] = []  # of the samples, in order
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu-sampler", daemon=True)
        self._tick = os.sysconf("SC_CLK_TCK")
        self._parts: dict[int, str] = {}

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.wait(self.EVERY):
            names = {r.process.pid: f"r{n}" for n, r in enumerate(self.replicas) if r.process}
            used: dict[str, float] = {}
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                comm = stat[stat.index("(") + 1 : stat.rindex(")")]
                fields = stat[stat.rindex(")") + 2 :].split()
                part = names.get(int(entry.name)) or self._part(int(entry.name), comm)
                used[part] = used.get(part, 0.0) + (int(fields[11]) + int(fields[12])) / self._tick
            now = time.time()
            self.samples.append((now, used))
            self.times.append(now)

    def _part(self, pid: int, comm: str) -> str:
        if comm in ("postgres", "nginx"):
            return comm
        if pid == os.getpid():
            return "load generator"
        if pid not in self._parts:
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                command = b""
            found = [n for n in ("stand_ins", "delay_proxy") if f"bench/{n}.py".encode() in command]
            self._parts[pid] = found[0].replace("_", " ") if found else "other"
        return self._parts[pid]

    def _shares(self, moment: float, before: float) -> tuple[float, dict[str, float]]:
        # The window's first and last sample by bisection over their times (a soak keeps tens of
        # thousands of samples, and busiest() looks at a window for each).
        lo = bisect.bisect_left(self.times, moment - before)
        hi = bisect.bisect_right(self.times, moment + self.EVERY)
        if hi - lo < 2:
            return 0.0, {}
        (t0, first), (t1, last) = self.samples[lo], self.samples[hi - 1]
        return t1 - t0, {k: (v - first.get(k, 0.0)) / (t1 - t0) * 100 for k, v in last.items()}

    @staticmethod
    def _describe(span: float, shares: dict[str, float]) -> str:
        if not shares:
            return "no CPU samples"
        busy = sorted(shares.items(), key=lambda kv: -kv[1])
        return f"{sum(shares.values()):.0f}% of 200 in {span:.1f} s: " + ", ".join(
            f"{k} {v:.0f}%" for k, v in busy if v >= 1
        )

    def around(self, moment: float, before: float = 0.3) -> str:
        """Each part's share of one core in the ``before`` seconds up to ``moment``."""
        return self._describe(*self._shares(moment, before))

    def busiest(self, before: float = 0.3) -> str:
        """The ``before`` seconds in which the machine was busiest, and who had its cores."""
        if not self.samples:
            return "no CPU samples"
        moment = max((t for t, _ in self.samples), key=lambda t: sum(self._shares(t, before)[1].values()))
        when = datetime.fromtimestamp(moment).strftime("%H:%M:%S.%f")[:-3]
        return f"up to {when}, {self.around(moment, before)}"


async def metrics(replica: Replica) -> str:
    """A replica's /metrics text ("" if the replica is down)."""
    if not replica.process or replica.process.poll() is not None:
        return ""
    try:
        async with aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{replica.port}/metrics"
            async with session.get(url, timeout=aiohttp.ClientTimeout(total=5)) as response:
                return await response.text()
    except (TimeoutError, aiohttp.ClientError):
        return ""


def value(text: str, name: str, default: float = 0.0) -> float:
    found = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else default


async def loop_stalls(replicas: list[Replica]) -> str:
    """How often the replicas' event loops ran over 100 ms late, from their lag histograms."""
    over = total = worst = 0.0
    for replica in replicas:
        text = await metrics(replica)
        count = value(text, "advisor_event_loop_lag_seconds_count")
        bucket = 'advisor_event_loop_lag_seconds_bucket{{le="{}"}}'
        over += count - value(text, bucket.format("0.1"), count)
        total += count
        for bound in (0.1, 0.25, 0.5, 1.0, 5.0):
            if value(text, bucket.format(bound), count) < count:
                worst = max(worst, bound)
    late = f"some over {worst:g} s" if over else "none"
    return f"event loop checks {total:.0f}, over 100 ms late {over:.0f} ({late}; replicas alive at the end)"
