"""``advisor bench intents``: the matcher on public intent benchmarks (:mod:`adapters.cli.intents`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot import AdvisorError

from .app import bench_app
from .common import fail, load

DATASETS_DIR = Path(__file__).resolve().parents[3] / "shared" / "datasets"


@bench_app.command("intents")
def bench_intents(
    name: Annotated[str, typer.Argument(help="clinc150-full, clinc150-small, banking77 or hwu64.")],
    shots: Annotated[
        int | None, typer.Option("--shots", help="Train on fewshot/train_K.csv (5, 10 or 30).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    root: Annotated[Path, typer.Option("--root", help="The datasets folder.")] = DATASETS_DIR,
    matcher: Annotated[
        str, typer.Option("--matcher", help="hybrid (default), lexical (the light mode) or centroid.")
    ] = "hybrid",
) -> None:
    """Accuracy, out-of-scope recall and latency of the matcher on a public intent benchmark."""
    from .intents import MATCHERS, load_dataset, run_benchmark

    try:
        matcher = "hybrid" if matcher == "semantic" else matcher
        if matcher not in MATCHERS:
            raise ValueError(f"unknown matcher {matcher!r}; choose one of {', '.join(MATCHERS)}")
        dataset = load_dataset(name, root, shots)
    except (ValueError, OSError, KeyError, AdvisorError) as exc:
        raise fail(exc) from exc
    if as_json:
        result = run_benchmark(dataset, matcher_kind=matcher, cache_dir=load().embedding_cache_dir)
        typer.echo(json.dumps(result))
        return
    with typer.progressbar(length=len(dataset.test), label=f"{dataset.name}", file=sys.stderr) as bar:

        def progress(pairs):  # type: ignore[no-untyped-def]
            for pair in pairs:
                bar.update(1)
                yield pair

        result = run_benchmark(dataset, progress, matcher_kind=matcher, cache_dir=load().embedding_cache_dir)
    oos = "n/a (in-scope only)" if result["oos_recall"] is None else f"{result['oos_recall']:.1%}"
    typer.echo(
        f"{result['dataset']} ({matcher} matcher): {result['topics']} topics, "
        f"{result['train_size']} training and {result['test_size']} test questions"
    )
    typer.echo(
        f"in-scope accuracy {result['in_scope_accuracy']:.1%}, out-of-scope recall {oos}, "
        f"threshold {result['threshold']}"
    )
    typer.echo(
        f"build {result['build_seconds']} s, latency p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms"
    )
