"""Query log throughput and its cost to an answer.

    python bench/querylog.py [--records N] [--postgres URL]

Prints sustained writes per second through the background writer (SQLite in a temporary
directory, and PostgreSQL when a URL is given), and the answer latency p50/p99 with logging
on and off. The advisor only queues a record, so the two latencies should be close.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot import Advisor, Query
from bot.querylog.pseudonyms import Pseudonymizer
from bot.querylog.recording import Recorder
from bot.querylog.records import QuestionRecord
from bot.querylog.spool import Spool
from bot.querylog.sql import SqlQueryLog
from bot.querylog.writer import LogWriter
from bot.testing import shipped_advisor

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def records(count: int) -> list[QuestionRecord]:
    start = datetime.now(UTC)
    return [
        QuestionRecord(
            id=f"{n:032x}",
            asked_at=start + timedelta(milliseconds=n),
            channel="slack",
            text="may I install the linkedin app on my work laptop",
            lang="en",
            outcome="answered",
            confidence=0.42,
            latency_ms=0.6,
            user=f"{n % 500:032x}",
            delivery_id=f"Ev{n}",
            topic="install-apps",
            verdict="no",
            runners_up=(("install-apps", 0.42), ("off-topic", 0.1)),
        )
        for n in range(count)
    ]


def writes_per_second(url: str, count: int, spool_dir: Path) -> float:
    store = SqlQueryLog(url)
    store.upgrade()
    writer = LogWriter(
        store, Spool(spool_dir / "spool.jsonl"), batch_size=500, flush_seconds=0.05, max_queue=count + 1
    )
    batch = records(count)
    started = time.perf_counter()
    for record in batch:
        writer.submit(record)
    writer.flush(600)
    while writer.backlog:
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    writer.close()
    stored = len(store.questions(datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)))
    store.engine.dispose()
    if stored != count or writer.stats.dropped:
        raise SystemExit(f"{stored} of {count} records stored, {writer.stats.dropped} dropped")
    return count / elapsed


def latencies(advisor: Advisor, questions: list[str], rounds: int) -> list[float]:
    measured = []
    for _ in range(rounds):
        for text in questions:
            answer = advisor.handle(Query(text, channel="slack", user_id="U123", delivery_id=None))
            measured.append(answer.latency_ms)
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--postgres", help="a PostgreSQL URL to measure as well")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        sqlite_rate = writes_per_second(f"sqlite:///{tmp_path / 'bench.db'}", args.records, tmp_path)
        print(f"log writes, SQLite (WAL): {sqlite_rate:,.0f} records/s sustained over {args.records:,}")
        if args.postgres:
            pg_rate = writes_per_second(args.postgres, args.records, tmp_path)
            print(f"log writes, PostgreSQL: {pg_rate:,.0f} records/s sustained over {args.records:,}")

        questions = [
            json.loads(line)["q"] for line in (DATA / "devset.jsonl").read_text(encoding="utf-8").splitlines()
        ]
        plain = shipped_advisor()
        latencies(plain, questions, 1)
        off = latencies(plain, questions, args.rounds)
        store = SqlQueryLog(f"sqlite:///{tmp_path / 'answers.db'}")
        store.upgrade()
        writer = LogWriter(store, Spool(tmp_path / "answers-spool.jsonl"))
        logged = Advisor(
            plain.knowledge,
            matcher=plain.matcher,
            thresholds=plain.thresholds,
            recorder=Recorder(writer, Pseudonymizer(b"k" * 32)),
        )
        on = latencies(logged, questions, args.rounds)
        writer.close()
        for name, values in (("off", off), ("on", on)):
            print(
                f"answer latency, logging {name:>3}: p50 {percentile(values, 50):.3f} ms  "
                f"p99 {percentile(values, 99):.3f} ms  mean {statistics.fmean(values):.3f} ms"
            )
        ever = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
        print(f"rows written while answering: {len(store.questions(*ever)):,}")


if __name__ == "__main__":
    main()
