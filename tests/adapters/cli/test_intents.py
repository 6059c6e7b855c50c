"""The intent benchmark on a small slice of each dataset, so the command cannot rot."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli import app
from adapters.cli.bench import DATASETS_DIR
from adapters.cli.intents import DATASETS, Dataset, load_dataset, run_benchmark
from bot.matching.semantic import available as semantic_available

# Where CI has the datasets beside the clone it sets ADVISOR_REQUIRE_DATASETS=1: then these run
# (and fail if the datasets went missing) instead of skipping.
pytestmark = pytest.mark.skipif(
    not DATASETS_DIR.exists() and os.environ.get("ADVISOR_REQUIRE_DATASETS") != "1",
    reason="the shared datasets are not beside the repo",
)


def sliced(dataset: Dataset, intents: int = 6) -> Dataset:
    keep = sorted(dataset.train)[:intents]
    test = [(t, lbl) for t, lbl in dataset.test if lbl in keep][:120]
    test += [(t, lbl) for t, lbl in dataset.test if lbl is None][:40]
    val = [(t, lbl) for t, lbl in dataset.val if lbl in keep or lbl is None]
    return Dataset(dataset.name, {k: dataset.train[k] for k in keep}, test, val)


@pytest.mark.parametrize("name", DATASETS)
def test_each_dataset_runs_through_the_real_matcher(name: str) -> None:
    dataset = sliced(load_dataset(name, DATASETS_DIR))
    result = run_benchmark(dataset)
    assert result["topics"] == 6 and result["test_size"] == len(dataset.test)
    assert result["train_size"] == sum(len(v) for v in dataset.train.values())
    assert result["in_scope_accuracy"] is not None and result["in_scope_accuracy"] >= 0.7
    if name.startswith("clinc150"):
        assert result["threshold"] is not None and result["oos_recall"] is not None
    else:
        assert result["threshold"] is None and result["oos_recall"] is None
    assert result["p99_ms"] >= result["p50_ms"] > 0


@pytest.mark.skipif(not semantic_available(), reason="the semantic extra is not installed")
def test_the_semantic_scorer_runs_the_same_benchmark() -> None:
    result = run_benchmark(sliced(load_dataset("clinc150-full", DATASETS_DIR)), matcher_kind="hybrid")
    assert result["matcher"] == "hybrid" and result["topics"] == 6
    assert result["in_scope_accuracy"] >= 0.9
    assert result["threshold"] is not None and result["oos_recall"] is not None


def test_few_shot_is_in_scope_only() -> None:
    dataset = load_dataset("clinc150-full", DATASETS_DIR, shots=10)
    assert sum(len(v) for v in dataset.train.values()) == 1500
    assert all(label is not None for _, label in dataset.test) and dataset.val == []


def test_the_command_prints_json_and_refuses_unknown_names(tmp_path: Path) -> None:
    folder = tmp_path / "hwu64"
    folder.mkdir()
    rows = "text,category\n" + "".join(
        f"set an alarm for {n} am,alarm_set\nplay some jazz {n},play_music\n" for n in range(8)
    )
    (folder / "train.csv").write_text(rows, encoding="utf-8")
    (folder / "test.csv").write_text(
        "text,category\nwake me at six,alarm_set\nput on music,play_music\n", encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["bench", "intents", "hwu64", "--json", "--root", str(tmp_path)])
    data = json.loads(result.output)
    assert set(data) >= {
        "in_scope_accuracy",
        "oos_recall",
        "threshold",
        "build_seconds",
        "p50_ms",
        "p99_ms",
        "train_size",
        "test_size",
    }
    assert data["train_size"] == 16 and data["test_size"] == 2 and data["oos_recall"] is None
    assert CliRunner().invoke(app, ["bench", "intents", "nope"]).exit_code == 2
