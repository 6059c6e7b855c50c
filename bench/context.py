"""What keeping a conversation's context adds to each answer.

    python bench/context.py [--rounds N] [--postgres URL]

Plays the labelled conversations (tests/data/conversations.jsonl) through the running service's
advisor, as assembled for ``advisor serve`` (query log writer on, SQLite in a temporary data
directory, or the PostgreSQL database given), each round under new conversation ids. For every
answer it times the context's own work: reading the message for follow-up cues, recalling the
conversation's context from the store and keeping the new one. Prints p50, p99 and max of that
sum per answer, and of recall and keep alone.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot import Query, load_settings
from bot.advisor import Advisor
from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.knowledge.knowledge import load_knowledge
from bot.service import Service

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def timed(spent: list[float], work: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any) -> Any:
        started = time.perf_counter()
        try:
            return work(*args)
        finally:
            spent.append((time.perf_counter() - started) * 1000)

    return run


def measure(database_url: str | None, rounds: int, base: Advisor) -> None:
    turns = [
        [t["q"] for t in json.loads(line)["turns"]]
        for line in (DATA / "conversations.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    with tempfile.TemporaryDirectory() as data_dir:
        settings = load_settings(env="development", data_dir=Path(data_dir), database_url=database_url)
        with Service.start(settings, base=base) as service:
            advisor = service.advisor
            conversations, cues = advisor.conversations, advisor.cues
            assert conversations is not None and cues is not None
            recalls: list[float] = []
            keeps: list[float] = []
            reads: list[float] = []
            conversations.recall = timed(recalls, conversations.recall)  # type: ignore[method-assign]
            conversations.keep = timed(keeps, conversations.keep)  # type: ignore[method-assign]
            cues.read = timed(reads, cues.read)  # type: ignore[method-assign]
            added: list[float] = []
            for round_ in range(rounds + 1):
                for number, conversation in enumerate(turns):
                    for text in conversation:
                        before = (len(recalls), len(keeps), len(reads))
                        advisor.handle(Query(text, channel="web", conversation_id=f"{round_}:{number}"))
                        if round_:  # the first round warms caches, as a running server has them
                            added.append(
                                sum(recalls[before[0] :]) + sum(keeps[before[1] :]) + sum(reads[before[2] :])
                            )
            kind = "PostgreSQL" if database_url else "SQLite"
            print(f"{kind}: {len(added)} answers in {rounds} rounds of {len(turns)} conversations")
            print(
                f"  added per answer: p50 {percentile(added, 50):.3f} ms  p99 {percentile(added, 99):.3f} ms"
                f"  max {max(added):.3f} ms"
            )
            for name, spent in (("recall", recalls), ("keep", keeps), ("read cues", reads)):
                print(f"  {name:10} p50 {percentile(spent, 50):.3f} ms  p99 {percentile(spent, 99):.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--postgres", help="a PostgreSQL URL to measure too (its schema is migrated)")
    args = parser.parse_args()
    base = Advisor(load_knowledge(DEFAULT_KNOWLEDGE_DIR), matcher="lexical")
    measure(None, args.rounds, base)
    if args.postgres:
        from bot.querylog.sql import SqlQueryLog

        SqlQueryLog(args.postgres).upgrade()
        measure(args.postgres, args.rounds, base)


if __name__ == "__main__":
    main()
