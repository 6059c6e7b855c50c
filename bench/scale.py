"""How the matcher behaves as a knowledge base grows: 20, 200, 2,000 and 20,000 topics.

    python bench/scale.py [--sizes 20,200,2000,20000] [--questions 300]

Each synthetic knowledge base has 10 examples per topic made from real text: utterances of the
public intent datasets (CLINC150, BANKING77, HWU64), each topic drawing from one intent and
recombining halves of its utterances when a larger base needs more distinct examples. For each
size it prints build time, resident memory, and per-question latency (p50, p99) for single
questions as a chat user sends them (held-out utterances, asked one at a time).
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.matching.lexical import LexicalMatcher  # noqa: E402

DATASETS = ROOT.parent / "shared" / "datasets"


def corpus() -> dict[str, list[str]]:
    """Real utterances grouped by intent, across the three datasets."""
    groups: dict[str, list[str]] = {}
    data = json.loads((DATASETS / "clinc150" / "data_full.json").read_text(encoding="utf-8"))
    for text, label in data["train"] + data["val"] + data["test"]:
        groups.setdefault(f"clinc:{label}", []).append(text)
    for name in ("banking77", "hwu64"):
        for split in ("train", "test"):
            with (DATASETS / name / f"{split}.csv").open(encoding="utf-8", newline="") as handle:
                for row in csv.DictReader(handle):
                    groups.setdefault(f"{name}:{row['category']}", []).append(row["text"])
    return groups


def synthetic(size: int, groups: dict[str, list[str]], rng: random.Random) -> dict[str, list[str]]:
    intents = sorted(groups)
    topics: dict[str, list[str]] = {}
    for n in range(size):
        pool = groups[intents[n % len(intents)]]
        examples = []
        for _ in range(10):
            a, b = rng.choice(pool).split(), rng.choice(pool).split()
            # Recombine two real utterances of the same intent: real words, new sentences.
            examples.append(" ".join(a[: max(1, len(a) // 2)] + b[len(b) // 2 :]))
        topics[f"t{n}"] = examples
    return topics


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20,200,2000,20000")
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(7)
    groups = corpus()
    every = [u for texts in groups.values() for u in texts]
    questions = rng.sample(every, args.questions)
    header = ("topics", "examples", "build s", "RSS MB", "p50 ms", "p99 ms", "mean ms", "p99 1st")
    print(" ".join(f"{name:>9}" for name in header))
    for size in (int(s) for s in args.sizes.split(",")):
        topics = synthetic(size, groups, rng)
        before = rss_mb()
        started = time.perf_counter()
        matcher = LexicalMatcher(topics)
        build = time.perf_counter() - started
        grown = rss_mb() - before
        gc.collect()
        gc.freeze()  # as `advisor serve` does once its knowledge base is built
        for q in questions[:20]:
            matcher.rank(q, 5)  # warm the typo cache as a running server would be
        # Every question is asked once per pass, in turn, as a chat user would send them, and
        # each pass starts without the typo corrections the earlier ones made; a question's
        # latency is its median over the passes, so a moment when this shared machine is slow
        # does not stand in for the matcher ("p99 1st" is the first pass alone).
        passes: list[list[float]] = []
        for _ in range(args.passes):
            matcher.forget_fixes()
            timings = []
            for q in questions:
                t0 = time.perf_counter()
                matcher.rank(q, 5)
                timings.append((time.perf_counter() - t0) * 1000)
            passes.append(timings)
        latencies = [statistics.median(each) for each in zip(*passes, strict=True)]
        single = passes[0]
        row = (
            size,
            size * 10,
            f"{build:.2f}",
            f"{grown:.0f}",
            f"{percentile(latencies, 50):.2f}",
            f"{percentile(latencies, 99):.2f}",
            f"{statistics.fmean(latencies):.2f}",
            f"{percentile(single, 99):.2f}",
        )
        print(" ".join(f"{value:>9}" for value in row), flush=True)
        del matcher, topics
        gc.unfreeze()


if __name__ == "__main__":
    main()
