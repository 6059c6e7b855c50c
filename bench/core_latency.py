"""Per-question latency and throughput of the core on the shipped knowledge base.

    python bench/core_latency.py [--rounds N]

Questions are the labelled sets under tests/data (both languages, in and out of scope), asked
through ``Advisor.handle`` exactly as an adapter does. Prints build time, p50/p99 latency and
questions per second on one core.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import time
from pathlib import Path

from bot import Query
from bot.advisor import Advisor
from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.knowledge.knowledge import load_knowledge

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--matcher", choices=["hybrid", "lexical", "centroid"], default="hybrid")
    args = parser.parse_args()

    questions = [
        json.loads(line)["q"]
        for name in ("devset.jsonl", "holdout.jsonl")
        for line in (DATA / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    started = time.perf_counter()
    advisor = Advisor(load_knowledge(DEFAULT_KNOWLEDGE_DIR), matcher=args.matcher)
    build_s = time.perf_counter() - started

    for q in questions:  # warm caches (stems, typo look-ups) as a running server would have
        advisor.handle(Query(q))
    # As `advisor serve` does once started: the knowledge base and its index stay out of the
    # garbage collector's full passes.
    gc.collect()
    gc.freeze()
    latencies: list[float] = []
    wall = time.perf_counter()
    for _ in range(args.rounds):
        for q in questions:
            t0 = time.perf_counter()
            advisor.handle(Query(q))
            latencies.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - wall

    print(f"machine: {platform.machine()} {platform.processor() or ''} python {platform.python_version()}")
    print(f"knowledge base: {len(advisor.knowledge.topics)} topics; build {build_s * 1000:.0f} ms")
    print(f"questions: {len(questions)} x {args.rounds} rounds = {len(latencies)}")
    print(
        f"latency p50 {percentile(latencies, 50):.3f} ms  p99 {percentile(latencies, 99):.3f} ms"
        f"  mean {statistics.fmean(latencies):.3f} ms  max {max(latencies):.3f} ms"
    )
    print(f"throughput {len(latencies) / elapsed:.0f} questions/s in one process, one question at a time")


if __name__ == "__main__":
    main()
