"""How long a replica takes to serve what the policy owner taught it, and what answering costs
meanwhile.

    python bench/learned.py [--entries 10,100] [--matcher lexical|hybrid]

Publishes N synthetic owner's entries (three English and two Hebrew questions each) and as many
added examples into an in-memory learned store, then times what each replica's background thread
does to serve them: the merge, and the shipped knowledge base's matcher extended to the grown one
(its scorers fitted again once on every text, its learned fusion kept, only the new texts
embedded). That runs alone, then again while answering the labelled questions of
tests/data/devset.jsonl; it prints p50 and p99 of their latency beside the same questions
answered with no rebuild going.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from pathlib import Path

from bot import Query, load_settings
from bot.advisor import Advisor
from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.knowledge.knowledge import Knowledge, load_knowledge
from bot.learned.records import MemoryLearnedStore
from bot.learned.refresh import Refresher
from bot.learned.teach import Teacher
from bot.matching.build import TopicTexts, build_matcher, growing, settings_encoder
from bot.matching.scorers import Encoder

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
NETWORKS = ["tiktok", "mastodon", "threads", "bluesky", "reddit", "discord", "telegram", "snapchat"]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def taught(knowledge: Knowledge, count: int) -> MemoryLearnedStore:
    store = MemoryLearnedStore()
    teacher = Teacher(store, knowledge)
    for n in range(count):
        net = NETWORKS[n % len(NETWORKS)]
        variants = {
            "en": [
                f"may I run giveaway number {n} on {net}",
                f"giveaway {n} on {net} ok?",
                f"contest {n} {net} rules",
            ],
            "he": [f"מותר לעשות הגרלה מספר {n} ב{net}?", f"הגרלה {n} ב{net}"],
        }
        answer = {"en": f"Giveaway {n}: only through the marketing team."}
        lesson = teacher.publish(f"owner-bench-{n}", variants, answer, "caution", "bench")
        assert lesson.changed, teacher.message(lesson)
        assert teacher.add_example(
            "join-groups", f"is group number {n} on {net} fine to join", "bench"
        ).changed
    return store


def answer_latencies(advisor: Advisor, questions: list[str]) -> list[float]:
    spent = []
    for text in questions:
        started = time.perf_counter()
        advisor.handle(Query(text))
        spent.append((time.perf_counter() - started) * 1000)
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", default="10,100")
    parser.add_argument("--matcher", default="lexical", choices=["lexical", "hybrid"])
    args = parser.parse_args()
    knowledge = load_knowledge(DEFAULT_KNOWLEDGE_DIR)
    cache = tempfile.TemporaryDirectory()
    settings = load_settings(matcher=args.matcher, data_dir=Path(cache.name))
    encoder: Encoder | None = settings_encoder(settings)

    started = time.perf_counter()
    shipped = build_matcher(TopicTexts.of(knowledge), args.matcher, encoder)
    built = time.perf_counter() - started
    print(f"{args.matcher}: the shipped knowledge base's matcher built in {built:.2f}s")

    with (DATA / "devset.jsonl").open(encoding="utf-8") as lines:
        questions = [json.loads(line)["q"] for line in lines if line.strip()][:200]
    for count in (int(n) for n in args.entries.split(",")):
        advisor = Advisor(knowledge, matcher=shipped)
        store = taught(knowledge, count)
        refresher = Refresher(advisor, knowledge, store, growing(shipped), 60)
        refresher.refresh()
        quiet_build = refresher.last_seconds or 0.0
        idle = answer_latencies(advisor, questions)
        refresher.stamp = 0
        during: list[float] = []
        rebuild = threading.Thread(target=refresher.refresh)
        rebuild.start()
        while rebuild.is_alive():
            during += answer_latencies(advisor, questions[:20])
        rebuild.join()
        quiet = f"{percentile(idle, 50):.1f}/{percentile(idle, 99):.1f} ms idle"
        busy = f"{percentile(during, 50):.1f}/{percentile(during, 99):.1f} ms during a rebuild"
        print(
            f"{args.matcher}: shipped {len(knowledge.topics)} topics + {count} entries + {count} examples: "
            f"rebuilt in {quiet_build:.2f}s ({refresher.last_seconds:.2f}s while answering);",
            f"answering p50/p99 {quiet}, {busy}",
            f"({len(during)} answers)",
        )


if __name__ == "__main__":
    main()
