"""Sentence-embedding models fetched by name from a Hugging Face hub (``advisor model fetch``).

Only what the encoder reads is downloaded: one ONNX graph (chosen like :mod:`bot.matching.modelfiles`
chooses, or named), its external-data file, ``tokenizer.json``, the small configuration files
and the model card (it states the licence). huggingface_hub does the transfer and the caching,
so ``HF_ENDPOINT`` (a mirror), ``HF_HUB_OFFLINE`` (use the cache only) and ``HF_TOKEN`` work as
they do for every other tool; the cache is the directory passed in (``ADVISOR_MODEL_CACHE``).
Nothing here runs when the advisor serves: it loads a directory.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import httpx2
from huggingface_hub import HfApi, constants, get_cached_repo_tree, snapshot_download
from huggingface_hub.errors import (
    CachedRepoTreeNotFoundError,
    GatedRepoError,
    HfHubHTTPError,
    IncompleteSnapshotError,
    LocalEntryNotFoundError,
    OfflineModeIsEnabled,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

from ..errors import ConfigError
from .modelfiles import ONNX_NAMES, SETTINGS_FILE, find_model, sha256_of

__all__ = ["Fetched", "fetch_model", "file_digests"]

METADATA = (
    "tokenizer.json",
    "config.json",
    "sentence_bert_config.json",
    "1_Pooling/config.json",
    SETTINGS_FILE,
    "README.md",
    "LICENSE",
)


@dataclass(frozen=True, slots=True)
class Fetched:
    """A model on disk: its directory, the graph chosen, every file's sha256 by relative path."""

    directory: Path
    onnx: str
    sha256: dict[str, str]


def fetch_model(
    name: str,
    cache_dir: Path,
    revision: str | None = None,
    to: Path | None = None,
    onnx: str | None = None,
    prefix: str | None = None,
) -> Fetched:
    """Download ``name`` (``owner/model``) into the hub cache under ``cache_dir``, or into ``to``.

    ``onnx`` picks a graph other than the conventional one (a quantized export, say); ``prefix``
    is written to the directory's ``advisor-model.json`` for models that expect one.
    """
    files = _repo_files(name, revision, cache_dir, to)
    chosen = onnx or _choose_onnx(name, files)
    if chosen not in files:
        raise ConfigError(f"{name} has no file {chosen}")
    if "tokenizer.json" not in files:
        raise ConfigError(
            f"{name} has no tokenizer.json: the encoder reads the tokenizers library's format"
            " (transformers' save_pretrained writes one)"
        )
    patterns = [chosen, f"{chosen}_data", f"{chosen}.data", *METADATA]
    directory = Path(_download(name, revision, cache_dir, to, patterns))
    options: dict[str, object] = {}
    graphs = [*directory.glob("*.onnx"), *directory.glob("onnx/*.onnx")]
    if chosen not in ONNX_NAMES and len(graphs) > 1:
        options["onnx"] = chosen
    if prefix is not None:
        options["prefix"] = prefix
    if options:
        _write_settings(directory, options)
    find_model(directory)  # the directory must load: a graph and a tokenizer, readable settings
    return Fetched(directory, chosen, file_digests(directory))


def file_digests(directory: Path) -> dict[str, str]:
    """sha256 of each file under ``directory``, by relative path (huggingface_hub's own
    ``.cache`` bookkeeping left out)."""
    found = {}
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        if path.is_file() and relative.parts[0] != ".cache":
            found[relative.as_posix()] = sha256_of(path)
    return found


def _repo_files(name: str, revision: str | None, cache_dir: Path, to: Path | None) -> list[str]:
    """The repository's file list: from the hub, or from the cache when offline or unreachable."""
    problem: Exception | None = None
    if not constants.is_offline_mode():
        try:
            info = HfApi().model_info(name, revision=revision)
            return [s.rfilename for s in info.siblings or []]
        except httpx2.TransportError as exc:
            problem = exc
        except HfHubHTTPError as exc:
            raise _explain(exc, name, revision) from exc
    try:
        cached = get_cached_repo_tree(name, revision=revision, cache_dir=cache_dir, local_dir=to)
    except CachedRepoTreeNotFoundError as exc:
        raise _not_cached(name, cache_dir, problem) from exc
    return [f.path for f in cached]


def _download(name: str, revision: str | None, cache_dir: Path, to: Path | None, patterns: list[str]) -> str:
    try:
        return snapshot_download(
            name, revision=revision, cache_dir=cache_dir, local_dir=to, allow_patterns=patterns
        )
    except (LocalEntryNotFoundError, IncompleteSnapshotError, OfflineModeIsEnabled) as exc:
        raise _not_cached(name, cache_dir, exc) from exc
    except httpx2.TransportError as exc:
        raise ConfigError(f"cannot reach {constants.ENDPOINT} ({exc})") from exc
    except HfHubHTTPError as exc:
        raise _explain(exc, name, revision) from exc


def _choose_onnx(name: str, files: list[str]) -> str:
    for conventional in ONNX_NAMES:
        if conventional in files:
            return conventional
    graphs = [f for f in files if f.endswith(".onnx") and len(PurePosixPath(f).parts) <= 2]
    if len(graphs) == 1:
        return graphs[0]
    if not graphs:
        raise ConfigError(
            f"{name} has no ONNX export (looked for {', '.join(ONNX_NAMES)}): look for an ONNX copy"
            " of the model on the hub, such as one under Xenova/ or onnx-community/"
        )
    listed = ", ".join(sorted(graphs))
    raise ConfigError(f"{name} has several ONNX exports ({listed}): choose one with --onnx")


def _explain(exc: HfHubHTTPError, name: str, revision: str | None) -> ConfigError:
    if isinstance(exc, RevisionNotFoundError):
        return ConfigError(f"{name} has no revision {revision!r} on {constants.ENDPOINT}")
    if isinstance(exc, GatedRepoError):
        return ConfigError(f"{name} is gated on {constants.ENDPOINT}: accept its terms and set HF_TOKEN")
    if isinstance(exc, RepositoryNotFoundError):
        return ConfigError(
            f"no model {name} on {constants.ENDPOINT} (check the name; a private model needs HF_TOKEN)"
        )
    status = exc.response.status_code if exc.response is not None else "?"
    return ConfigError(f"{constants.ENDPOINT} answered HTTP {status} for {name}")


def _not_cached(name: str, cache_dir: Path, cause: Exception | None) -> ConfigError:
    why = "HF_HUB_OFFLINE is set" if constants.is_offline_mode() else f"the hub cannot be reached ({cause})"
    return ConfigError(
        f"{name} is not in the model cache {cache_dir} and {why}: fetch it once with network"
        " access, or copy a model directory to this machine and set ADVISOR_MODEL_DIR to it"
    )


def _write_settings(directory: Path, options: dict[str, object]) -> None:
    """Merge ``options`` into the directory's advisor-model.json, replacing the file (in the hub
    cache it is a link to a shared blob, which must not change)."""
    path = directory / SETTINGS_FILE
    current = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(current | options, out, ensure_ascii=False, indent=2)
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)
