"""``advisor model fetch`` and ``advisor model show`` end to end: the command in a process of its
own, huggingface_hub pointed (HF_ENDPOINT) at a stand-in hub serving tiny models built here."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bot.matching.encoder import load_encoder
from tests.hubkit import Repo, StandInHub
from tests.live import Loop
from tests.modelkit import expected, write_model

MULTILINGUAL = "tiny-org/multilingual-tiny"


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, StandInHub]]:
    root = tmp_path_factory.mktemp("hub")
    write_model(root / "xlmr", "xlmr", pooling="cls", onnx_name="onnx/model.onnx")
    write_model(root / "xlmr", "xlmr", onnx_name="onnx/model_O4.onnx", seed=7)  # not to be downloaded
    (root / "xlmr" / "README.md").write_text("---\nlicense: apache-2.0\n---\n# a tiny model\n")
    (root / "xlmr" / "pytorch_model.bin").write_bytes(b"\0" * 4096)  # nor this
    write_model(root / "bert", "bert", onnx_name="onnx/model_qint8_avx512.onnx")
    write_model(root / "no-onnx", "bert")
    (root / "no-onnx" / "model.onnx").unlink()
    write_model(root / "no-tokenizer", "bert")
    (root / "no-tokenizer" / "tokenizer.json").unlink()
    stand_in = StandInHub(
        {
            MULTILINGUAL: Repo.from_directory(root / "xlmr"),
            "tiny-org/bert-quantized": Repo.from_directory(root / "bert"),
            "tiny-org/pytorch-only": Repo.from_directory(root / "no-onnx"),
            "tiny-org/no-tokenizer": Repo.from_directory(root / "no-tokenizer"),
        }
    )
    loop = Loop()
    try:
        yield stand_in.serve(loop), stand_in
    finally:
        loop.close()


def advisor(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ADVISOR_", "HF_", "HUGGINGFACE"))}
    return subprocess.run(
        [sys.executable, "-c", "from adapters.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=clean | env,
    )


def settings(tmp_path: Path, endpoint: str, **more: str) -> dict[str, str]:
    return {
        "ADVISOR_DATA_DIR": str(tmp_path / "var"),
        "HF_ENDPOINT": endpoint,
        "HF_HOME": str(tmp_path / "hf-home"),
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        **more,
    }


def printed_directory(stdout: str) -> Path:
    [line] = [line for line in stdout.splitlines() if line.startswith("use it: ADVISOR_MODEL_DIR=")]
    return Path(line.split("=", 1)[1])


def test_fetch_downloads_one_graph_and_the_tokenizer_then_the_directory_loads(
    tmp_path: Path, hub: tuple[str, StandInHub]
) -> None:
    endpoint, stand_in = hub
    stand_in.requests.clear()
    done = advisor("model", "fetch", MULTILINGUAL, env=settings(tmp_path, endpoint))
    assert done.returncode == 0, done.stderr
    directory = printed_directory(done.stdout)
    assert directory.is_relative_to(tmp_path / "var" / "models")  # ADVISOR_MODEL_CACHE's default
    assert f"fetched {MULTILINGUAL} (onnx/model.onnx) into {directory}" in done.stdout
    assert sorted(stand_in.downloads()) == [
        "1_Pooling/config.json",
        "README.md",
        "config.json",
        "onnx/model.onnx",
        "tokenizer.json",
    ]
    for name in ("onnx/model.onnx", "tokenizer.json", "1_Pooling/config.json"):
        digest = hashlib.sha256((directory / name).read_bytes()).hexdigest()
        assert f"  sha256 {digest}  {name}" in done.stdout
    encoder = load_encoder(directory)
    assert encoder.files.pooling == "cls" and encoder.tokenizer_kind == "Unigram"
    assert set(encoder.inputs) == {"input_ids", "attention_mask"}
    repo = stand_in.repos[MULTILINGUAL]
    assert (directory.name, directory.parent.name) == (repo.commit, "snapshots")

    shown = advisor("model", "show", str(directory), env=settings(tmp_path, endpoint))
    assert shown.returncode == 0, shown.stderr
    assert f"{encoder.sha256['model']}  {directory / 'onnx' / 'model.onnx'}" in shown.stdout
    assert "not pinned" in shown.stdout and "tokenizer: Unigram" in shown.stdout
    assert "inputs: input_ids, attention_mask\n" in shown.stdout
    assert "output: last_hidden_state (cls pooling), 8 dimensions" in shown.stdout


def test_offline_a_warm_cache_serves_and_a_cold_one_is_a_clear_error(
    tmp_path: Path, hub: tuple[str, StandInHub]
) -> None:
    endpoint, stand_in = hub
    online = advisor("model", "fetch", MULTILINGUAL, env=settings(tmp_path, endpoint))
    assert online.returncode == 0, online.stderr
    stand_in.requests.clear()
    offline = advisor("model", "fetch", MULTILINGUAL, env=settings(tmp_path, endpoint, HF_HUB_OFFLINE="1"))
    assert offline.returncode == 0, offline.stderr
    assert printed_directory(offline.stdout) == printed_directory(online.stdout) and not stand_in.requests

    cold = advisor(
        "model", "fetch", MULTILINGUAL, env=settings(tmp_path / "cold", endpoint, HF_HUB_OFFLINE="1")
    )
    assert cold.returncode == 2 and "Traceback" not in cold.stderr
    assert (
        f"{MULTILINGUAL} is not in the model cache" in cold.stderr and "HF_HUB_OFFLINE is set" in cold.stderr
    )
    unreachable = advisor(
        "model", "fetch", MULTILINGUAL, env=settings(tmp_path / "cold", "http://127.0.0.1:9")
    )
    assert unreachable.returncode == 2 and "Traceback" not in unreachable.stderr
    assert "the hub cannot be reached" in unreachable.stderr


def test_fetch_into_a_folder_with_a_chosen_graph_and_a_prefix(
    tmp_path: Path, hub: tuple[str, StandInHub]
) -> None:
    endpoint, _ = hub
    target = tmp_path / "e5"
    done = advisor(
        "model",
        "fetch",
        MULTILINGUAL,
        "--to",
        str(target),
        "--onnx",
        "onnx/model_O4.onnx",
        "--prefix",
        "query: ",
        "--revision",
        "main",
        env=settings(tmp_path, endpoint),
    )
    assert done.returncode == 0, done.stderr
    assert printed_directory(done.stdout) == target.resolve()
    assert json.loads((target / "advisor-model.json").read_text()) == {"prefix": "query: "}
    assert not (target / "onnx" / "model.onnx").exists() and "  .cache" not in done.stdout
    encoder = load_encoder(target)
    assert encoder.files.onnx.name == "model_O4.onnx" and encoder.files.prefix == "query: "
    offline = advisor(
        "model",
        "fetch",
        MULTILINGUAL,
        "--to",
        str(target),
        "--onnx",
        "onnx/model_O4.onnx",
        env=settings(tmp_path, endpoint, HF_HUB_OFFLINE="1"),
    )
    assert offline.returncode == 0, offline.stderr


def test_a_graph_with_an_unusual_name_is_found_and_gives_the_models_vectors(
    tmp_path: Path, hub: tuple[str, StandInHub]
) -> None:
    endpoint, _ = hub
    done = advisor("model", "fetch", "tiny-org/bert-quantized", env=settings(tmp_path, endpoint))
    assert done.returncode == 0, done.stderr
    directory = printed_directory(done.stdout)
    tiny = write_model(tmp_path / "same", "bert")  # seed 0: the weights the hub serves
    encoder = load_encoder(directory)
    assert encoder.files.onnx.name == "model_qint8_avx512.onnx"
    assert np.allclose(encoder.encode(["join this group"])[0], expected(directory, tiny, "join this group"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such/model"], "no model no-such/model on http://127.0.0.1:"),
        ([MULTILINGUAL, "--revision", "v9"], "has no revision 'v9'"),
        (["tiny-org/pytorch-only"], "has no ONNX export"),
        (["tiny-org/no-tokenizer"], "has no tokenizer.json"),
        ([MULTILINGUAL, "--onnx", "onnx/missing.onnx"], "has no file onnx/missing.onnx"),
    ],
)
def test_fetch_errors_are_one_clear_line(
    tmp_path: Path, hub: tuple[str, StandInHub], args: list[str], message: str
) -> None:
    endpoint, _ = hub
    done = advisor("model", "fetch", *args, env=settings(tmp_path, endpoint))
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_show_the_default_and_a_directory_that_is_not_a_model(tmp_path: Path) -> None:
    shown = advisor("model", "show", env={"ADVISOR_DATA_DIR": str(tmp_path)})
    assert shown.returncode == 0, shown.stderr
    assert "all-MiniLM-L6-v2 (int8, shipped), pinned sha256, checked" in shown.stdout
    assert "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6" in shown.stdout
    assert "tokenizer: WordPiece" in shown.stdout and "384 dimensions" in shown.stdout
    (tmp_path / "empty").mkdir()
    empty = advisor("model", "show", str(tmp_path / "empty"), env={"ADVISOR_DATA_DIR": str(tmp_path)})
    assert (
        empty.returncode == 2 and "has no tokenizer.json" in empty.stderr and "Traceback" not in empty.stderr
    )
    write_model(tmp_path / "m", "bert")
    (tmp_path / "m" / "model.onnx").unlink()
    no_graph = advisor(
        "model", "show", env={"ADVISOR_DATA_DIR": str(tmp_path), "ADVISOR_MODEL_DIR": str(tmp_path / "m")}
    )
    assert no_graph.returncode == 2 and "has no ONNX model" in no_graph.stderr
