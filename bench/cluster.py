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
import bisect
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import uvloop

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from slack_load import QUESTIONS, event, percentile  # noqa: E402

from adapters.cli.processes import free_port  # noqa: E402
from bot.querylog.sql import SqlQueryLog  # noqa: E402
from tests.live import signed_headers  # noqa: E402
from tests.pgserver import PostgresServer, find_pg_bin  # noqa: E402
from tests.teamskit import activity  # noqa: E402

SECRET = "cluster-signing-secret"
EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


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


async def answers(api_port: int) -> dict[str, Any]:
    """What the stand-ins received: Slack posts (their times) and Teams replies."""
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{api_port}/stats") as response:
            return dict(await response.json())


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
            fault if args.fault != "none" else None,
            args.teams,
            f"http://127.0.0.1:{connector_port}/",
        )
        deadline = time.monotonic() + 120
        store = SqlQueryLog(url)
        rows = 0
        while time.monotonic() < deadline:
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
    finally:
        nginx.stop()
        for replica in replicas:
            replica.stop()
    if args.bare:
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
