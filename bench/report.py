"""How long the policy owner's report takes on a large query log.

    python bench/report.py [--records N] [--unanswered SHARE] [--db PATH]

Fills a SQLite query log (in a temporary directory, or ``--db`` to keep and reuse it) with
``N`` questions over one week, a share of them unanswered and every unanswered one worded
differently (the worst case for grouping them), plus one feedback per ten questions, then
prints how long ``build_report`` takes for that week (three runs; reading the database included).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.querylog.records import FeedbackRecord, LogRecord, QuestionRecord
from bot.querylog.report import build_report
from bot.querylog.sql import SqlQueryLog

START = datetime(2026, 11, 20, tzinfo=UTC)
WEEK = timedelta(days=7)
TOPICS = ("install-apps", "join-groups", "recruitment", "viral-promo", "separate-accounts")


def vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    """Made-up words, so that unanswered questions rarely read alike."""
    letters = "bcdfghklmnprstvz"
    return [
        "".join(rng.choice(letters) + rng.choice("aeiou") for _ in range(rng.randint(2, 4)))
        for _ in range(size)
    ]


def question(n: int, rng: random.Random, words: list[str], unanswered: float) -> QuestionRecord:
    missed = rng.random() < unanswered
    topic = rng.choice(TOPICS)
    said = rng.sample(words, rng.randint(3, 8))
    return QuestionRecord(
        id=f"{n:032x}",
        asked_at=START + WEEK * (n / 1_000_000) + timedelta(seconds=rng.randint(0, 6 * 86400)),
        channel=rng.choice(("slack", "teams", "web", "cli")),
        text=f"can I {' '.join(said)}" if missed else "may I install the linkedin app on my laptop",
        lang="en",
        outcome="declined" if missed else "answered",
        confidence=0.05 if missed else 0.5,
        latency_ms=0.6,
        user=f"{n % 3000:032x}",
        topic=None if missed else topic,
        verdict=None if missed else "no",
        runners_up=((topic, 0.3), ("off-topic", 0.1)),
    )


def fill(store: SqlQueryLog, count: int, unanswered: float) -> None:
    rng = random.Random(17)
    words = vocabulary(rng)
    batch: list[LogRecord] = []
    for n in range(count):
        record = question(n, rng, words, unanswered)
        batch.append(record)
        if n % 10 == 0:
            batch.append(
                FeedbackRecord(
                    id=f"f{n:031x}",
                    question_id=record.id,
                    at=record.asked_at + timedelta(seconds=30),
                    channel=record.channel,
                    user=record.user,
                    helpful=rng.random() < 0.7,
                )
            )
        if len(batch) >= 5000:
            store.write(batch)
            batch = []
    store.write(batch)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--unanswered", type=float, default=0.3, help="share of unanswered questions")
    parser.add_argument("--db", type=Path, help="SQLite file to fill once and reuse")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "advisor.db"
        fresh = not path.exists()
        store = SqlQueryLog(f"sqlite:///{path}")
        store.upgrade()
        if fresh:
            began = time.perf_counter()
            fill(store, args.records, args.unanswered)
            print(f"filled {args.records:,} questions in {time.perf_counter() - began:.1f} s")
        for _ in range(3):
            began = time.perf_counter()
            report = build_report(store, START, START + WEEK)
            took = time.perf_counter() - began
            print(
                f"build_report: {took:.2f} s for {report.questions:,} questions, "
                f"{report.questions - report.outcomes.get('answered', 0):,} not answered, "
                f"{len(report.clusters):,} groups"
            )
        store.engine.dispose()


if __name__ == "__main__":
    main()
