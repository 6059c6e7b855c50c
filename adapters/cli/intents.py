"""The matcher on public intent-classification benchmarks (CLINC150, BANKING77, HWU64).

Each dataset becomes a knowledge base of the advisor's own shape (one topic per intent, its
training utterances as examples), the advisor's real matcher is built from it, and test
questions are ranked exactly as ``advisor ask`` ranks them. Where a dataset has out-of-scope
questions, the advisor's decline rule applies (decline when the best topic scores below a
threshold); the threshold is picked on the validation split only, for a target share of
in-scope questions wrongly declined. Rows without out-of-scope data, or few-shot runs, follow
their published protocol: accuracy over the in-scope intents with declining switched off.
"""

from __future__ import annotations

import csv
import json
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.matching.build import TopicTexts, build_matcher, default_encoder
from bot.matching.embedcache import CachedExamples, EmbeddingCache, FusionCache
from bot.matching.lexical import Matcher

__all__ = ["DATASETS", "Dataset", "load_dataset", "run_benchmark"]

DATASETS = ("clinc150-full", "clinc150-small", "banking77", "hwu64")
MATCHERS = ("hybrid", "lexical", "centroid")
WRONGLY_DECLINED_TARGET = 0.025

Pair = tuple[str, str | None]


@dataclass
class Dataset:
    name: str
    train: dict[str, list[str]]
    test: list[Pair]
    val: list[Pair] = field(default_factory=list)

    @property
    def has_oos(self) -> bool:
        return any(label is None for _, label in self.test)


def _csv(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["text"], row["category"]) for row in csv.DictReader(handle)]


def _group(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for text, label in pairs:
        grouped.setdefault(label, []).append(text)
    return grouped


def load_dataset(name: str, root: Path, shots: int | None = None) -> Dataset:
    """Read one benchmark from ``root`` (the datasets folder); ``shots`` uses fewshot/train_K."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    folder = root / name.split("-")[0]
    if name.startswith("clinc150"):
        data = json.loads((folder / f"data_{name.split('-')[1]}.json").read_text(encoding="utf-8"))
        train = _group((t, lbl) for t, lbl in data["train"])
        val: list[Pair] = [(t, lbl) for t, lbl in data["val"]] + [(t, None) for t, _ in data["oos_val"]]
        test: list[Pair] = [(t, lbl) for t, lbl in data["test"]] + [(t, None) for t, _ in data["oos_test"]]
    else:
        train = _group(_csv(folder / "train.csv"))
        val, test = [], [(t, lbl) for t, lbl in _csv(folder / "test.csv")]
    if shots is not None:
        train = _group(_csv(folder / "fewshot" / f"train_{shots}.csv"))
        val, test = [], [(t, lbl) for t, lbl in test if lbl is not None]
    return Dataset(name + (f"-{shots}shot" if shots else ""), train, test, val)


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))] if ordered else 0.0


def pick_threshold(matcher: Matcher, val: list[Pair], target: float = WRONGLY_DECLINED_TARGET) -> float:
    """The score below which only ``target`` of the in-scope validation questions fall."""
    scores = []
    for text, label in val:
        if label is not None:
            ranked = matcher.rank(text, 1)
            scores.append(ranked[0].score if ranked else 0.0)
    return _percentile(scores, target * 100)


def benchmark_matcher(kind: str, topics: dict[str, list[str]], cache_dir: Path | None = None) -> Matcher:
    """The advisor's matcher of that kind (``advisor ask`` builds the same from its settings)."""
    if kind not in MATCHERS:
        raise ValueError(f"unknown matcher {kind!r}; choose one of {', '.join(MATCHERS)}")
    encoder = None
    if kind == "hybrid" and cache_dir is not None:
        encoder = CachedExamples(default_encoder(), EmbeddingCache(cache_dir))
    cache = FusionCache(cache_dir) if cache_dir is not None else None
    return build_matcher(TopicTexts.labelled(topics), kind, encoder, cache)


def run_benchmark(
    dataset: Dataset,
    progress: Callable[[Iterable[Pair]], Iterable[Pair]] = lambda x: x,
    matcher_kind: str = "hybrid",
    cache_dir: Path | None = None,
) -> dict[str, Any]:
    """``cache_dir`` keeps the training examples' embeddings between runs."""
    started = time.perf_counter()
    matcher = benchmark_matcher(matcher_kind, dataset.train, cache_dir)
    build_seconds = time.perf_counter() - started
    declining = dataset.has_oos and bool(dataset.val)
    threshold = pick_threshold(matcher, dataset.val) if declining else None
    correct = in_scope = oos = oos_declined = 0
    latencies: list[float] = []
    for text, label in progress(dataset.test):
        t0 = time.perf_counter()
        ranked = matcher.rank(text, 1)
        latencies.append((time.perf_counter() - t0) * 1000)
        best = ranked[0] if ranked else None
        declined = best is None or (threshold is not None and best.score < threshold)
        if label is None:
            oos += 1
            oos_declined += declined
        else:
            in_scope += 1
            correct += (not declined) and best is not None and best.topic == label
    return {
        "dataset": dataset.name,
        "matcher": matcher_kind,
        "in_scope_accuracy": round(correct / in_scope, 4) if in_scope else None,
        "oos_recall": round(oos_declined / oos, 4) if oos and declining else None,
        "threshold": round(threshold, 4) if threshold is not None else None,
        "build_seconds": round(build_seconds, 2),
        "p50_ms": round(statistics.median(latencies), 3) if latencies else None,
        "p99_ms": round(_percentile(latencies, 99), 3) if latencies else None,
        "train_size": sum(len(v) for v in dataset.train.values()),
        "test_size": len(dataset.test),
        "topics": len(dataset.train),
    }
