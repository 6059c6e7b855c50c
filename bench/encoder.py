"""The sentence encoder's cost: load time, latency, throughput, memory, and the embedding cache.

    python bench/encoder.py [MODEL_DIR ...] [--threads N] [--rounds N] [--fastembed-python PY]

Measures the shipped default model and every model directory given (``advisor model fetch``
writes them), each in a fresh process so that its memory is its own. The texts are the labelled
questions under tests/data (English and Hebrew, as people type them). Prints, per model:

- load: building the encoder (sha256 checks, onnxruntime session, tokenizer), imports apart;
- one text: p50 and p99 of ``encode([question])``, one question at a time;
- batch of 64: texts per second;
- examples: encoding every example of the shipped knowledge base, then reading them back from
  the on-disk EmbeddingCache (what a restart costs);
- RSS after all that, and the peak.

``--fastembed-python`` names a Python with fastembed installed (not a dependency of ours): the
default model's files are then also run through fastembed's ``TextEmbedding``, same texts,
same threads, side by side, and the two engines' vectors compared.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def questions() -> list[str]:
    return [
        json.loads(line)["q"]
        for name in ("devset.jsonl", "holdout.jsonl")
        for line in (DATA / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def rss_mb() -> tuple[float, float]:
    """Resident memory now and at its peak, in MB (Linux)."""
    status = Path("/proc/self/status").read_text()
    now = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    return now / 1024, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timings(encode: Any, texts: list[str], rounds: int) -> dict[str, float]:
    encode(texts[:8])  # warm up onnxruntime's allocations
    single = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            encode([text])
            single.append((time.perf_counter() - started) * 1000)
    batches = [texts[i : i + 64] for i in range(0, len(texts) - 63, 64)]
    started = time.perf_counter()
    for _ in range(rounds):
        for batch in batches:
            encode(batch)
    batch_s = time.perf_counter() - started
    return {
        "p50_ms": round(statistics.median(single), 2),
        "p99_ms": round(percentile(single, 99), 2),
        "batch64_per_s": round(rounds * 64 * len(batches) / batch_s),
    }


def measure_advisor(model_dir: str, threads: int, rounds: int) -> dict[str, Any]:
    started = time.perf_counter()
    from bot.config import DEFAULT_KNOWLEDGE_DIR
    from bot.knowledge.knowledge import load_knowledge
    from bot.matching.embedcache import EmbeddingCache
    from bot.matching.encoder import load_encoder

    imported = time.perf_counter()
    encoder = load_encoder(Path(model_dir) if model_dir else None, threads=threads)
    loaded = time.perf_counter()
    result: dict[str, Any] = {
        "engine": "advisor",
        "model": encoder.files.name,
        "dim": encoder.dim,
        "import_s": round(imported - started, 2),
        "load_s": round(loaded - imported, 2),
    }
    result |= timings(encoder.encode, questions(), rounds)
    knowledge = load_knowledge(DEFAULT_KNOWLEDGE_DIR)
    examples = [e for t in knowledge.topics.values() for e in [*t.examples.en, *t.examples.he]]
    with tempfile.TemporaryDirectory() as directory:
        cache = EmbeddingCache(Path(directory))
        started = time.perf_counter()
        cache.get_or_compute(encoder, examples)
        encoded = time.perf_counter()
        cache.get_or_compute(encoder, examples)
        read = time.perf_counter()
    result |= {
        "examples": len(examples),
        "examples_encode_s": round(encoded - started, 2),
        "examples_cached_ms": round((read - encoded) * 1000, 1),
    }
    result["rss_mb"], result["peak_rss_mb"] = (round(v) for v in rss_mb())
    return result


def measure_fastembed(model_dir: str, threads: int, rounds: int) -> dict[str, Any]:
    started = time.perf_counter()
    from fastembed import TextEmbedding
    from fastembed.common.model_description import ModelSource, PoolingType

    imported = time.perf_counter()
    TextEmbedding.add_custom_model(
        "local/all-MiniLM-L6-v2-int8",
        pooling=PoolingType.MEAN,
        normalization=True,
        sources=ModelSource(hf="local/none"),
        dim=384,
        model_file="model.onnx",
    )
    model = TextEmbedding(
        "local/all-MiniLM-L6-v2-int8", threads=threads or None, specific_model_path=model_dir
    )
    loaded = time.perf_counter()

    def encode(texts: list[str]) -> Any:
        return list(model.embed(texts, batch_size=64))

    result: dict[str, Any] = {
        "engine": "fastembed",
        "model": f"{model_dir} (same files)",
        "dim": 384,
        "import_s": round(imported - started, 2),
        "load_s": round(loaded - imported, 2),
    }
    result |= timings(encode, questions(), rounds)
    sample = questions()[:64]
    result["vectors"] = [[round(float(x), 6) for x in v] for v in encode(sample)]
    result["rss_mb"], result["peak_rss_mb"] = (round(v) for v in rss_mb())
    return result


def fastembed_directory(into: Path) -> Path:
    """The default model's two pinned files, plus the two small configuration files fastembed
    insists on (it reads the special tokens and the length from them)."""
    from bot.matching.modelfiles import default_model

    files = default_model()
    files.digests()
    (into / "model.onnx").symlink_to(files.onnx)
    (into / "tokenizer.json").symlink_to(files.tokenizer)
    (into / "tokenizer_config.json").write_text(json.dumps({"model_max_length": 128, "do_lower_case": True}))
    special = {"unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]"}
    (into / "special_tokens_map.json").write_text(json.dumps(special | {"mask_token": "[MASK]"}))
    return into


def child(python: str, engine: str, model_dir: str, args: argparse.Namespace) -> dict[str, Any]:
    options = ["--threads", str(args.threads), "--rounds", str(args.rounds)]
    done = subprocess.run(
        [python, __file__, "--child", engine, *options, model_dir],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=1800,
    )
    if done.returncode != 0:
        raise SystemExit(f"{engine} on {model_dir or 'the default'} failed:\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def report(result: dict[str, Any]) -> None:
    print(f"{result['engine']}: {result['model']} ({result['dim']} dimensions)")
    print(f"  load {result['load_s']} s (imports {result['import_s']} s)")
    print(f"  one text: p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms")
    print(f"  batch of 64: {result['batch64_per_s']} texts/s")
    if "examples" in result:
        print(
            f"  {result['examples']} knowledge-base examples: encoded in {result['examples_encode_s']} s,"
            f" read from the cache in {result['examples_cached_ms']} ms"
        )
    print(f"  RSS {result['rss_mb']} MB, peak {result['peak_rss_mb']} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", help="model directories besides the shipped default")
    parser.add_argument("--threads", type=int, default=0, help="onnxruntime threads (0: every core)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--fastembed-python", help="a Python with fastembed, to compare engines")
    parser.add_argument("--child", choices=["advisor", "fastembed"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure = measure_advisor if args.child == "advisor" else measure_fastembed
        print(json.dumps(measure(args.models[0] if args.models else "", args.threads, args.rounds)))
        return
    print(f"{len(questions())} questions, {args.rounds} rounds, threads {args.threads or 'all'}")
    ours = None
    for model_dir in ["", *args.models]:
        result = child(sys.executable, "advisor", model_dir, args)
        ours = ours or result
        report(result)
    if args.fastembed_python:
        with tempfile.TemporaryDirectory() as directory:
            same_files = str(fastembed_directory(Path(directory)))
            theirs = child(args.fastembed_python, "fastembed", same_files, args)
        report(theirs)
        import numpy as np

        from bot.matching.encoder import load_encoder

        mine = load_encoder(None).encode(questions()[:64])
        cosines = (mine * np.array(theirs["vectors"])).sum(axis=1)
        print(f"  same vectors as the advisor's encoder: cosine min {cosines.min():.5f} on 64 questions")


if __name__ == "__main__":
    main()
