"""What a restart would otherwise compute again, on disk: the examples' embeddings and the
learned fusion.

Embeddings: one ``.npy`` file per (encoder, list of texts): the name is a digest of the
encoder's ``identity`` and of the texts in order, so a changed model, prefix or knowledge base
misses and is encoded afresh. The fusion: one ``.npz`` file per key, a digest of everything it
was learned from (:func:`bot.matching.fusion.fusion_key`). A file is written to a temporary name
and renamed (readers never see half of one), created readable by its owner only; a file that
cannot be read, or holds the wrong shape, is computed again and replaced. The cache never stops
the advisor: when the directory cannot be written, what was computed is used all the same and a
warning is logged.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Protocol

import numpy as np
from numpy.typing import NDArray

__all__ = ["CachedExamples", "EmbeddingCache", "FusionCache", "TextEncoder"]

log = logging.getLogger(__name__)


class TextEncoder(Protocol):
    """What the cache needs of an encoder (:class:`bot.matching.encoder.Encoder` is one)."""

    @property
    def identity(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]: ...


class EmbeddingCache:
    """``get_or_compute(encoder, texts)``: the texts' vectors, from ``directory`` when there."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path_for(self, encoder: TextEncoder, texts: Sequence[str]) -> Path:
        digest = hashlib.sha256(encoder.identity.encode())
        for text in texts:
            data = text.encode("utf-8", "surrogatepass")
            digest.update(len(data).to_bytes(8, "little"))
            digest.update(data)
        return self.directory / f"{encoder.identity}-{digest.hexdigest()[:32]}.npy"

    def get_or_compute(self, encoder: TextEncoder, texts: Sequence[str]) -> NDArray[np.float32]:
        path = self.path_for(encoder, texts)
        cached = self._read(path, (len(texts), encoder.dim))
        if cached is not None:
            return cached
        vectors = np.ascontiguousarray(encoder.encode(texts), dtype=np.float32)
        self._write(path, vectors)
        return vectors

    def _read(self, path: Path, shape: tuple[int, int]) -> NDArray[np.float32] | None:
        try:
            vectors = np.load(path, allow_pickle=False)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, EOFError) as exc:
            log.warning("embedding cache: %s cannot be read (%s); encoding again", path, exc)
            return None
        if vectors.shape != shape or vectors.dtype != np.float32 or not np.isfinite(vectors).all():
            log.warning(
                "embedding cache: %s holds %s %s, not %s; encoding again",
                path,
                vectors.dtype,
                vectors.shape,
                shape,
            )
            return None
        return np.asarray(vectors, dtype=np.float32)

    def _write(self, path: Path, vectors: NDArray[np.float32]) -> None:
        _write_atomically(path, lambda out: np.save(out, vectors, allow_pickle=False))


class FusionCache:
    """``get(key)``: the fusion's weights per language group stored under ``key`` (a
    coefficient vector and a bias each), or None; ``put(key, weights)`` stores them."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path_for(self, key: str) -> Path:
        return self.directory / f"fusion-{key}.npz"

    def get(self, key: str) -> dict[str, tuple[NDArray[np.float64], float]] | None:
        path = self.path_for(key)
        try:
            with np.load(path, allow_pickle=False) as stored:
                arrays = {name: np.asarray(stored[name]) for name in stored.files}
        except FileNotFoundError:
            return None
        except (OSError, ValueError, EOFError, KeyError) as exc:
            log.warning("fusion cache: %s cannot be read (%s); learning again", path, exc)
            return None
        groups = {name.removeprefix("coef:") for name in arrays if name.startswith("coef:")}
        weights = {}
        for group in groups:
            coef, bias = arrays[f"coef:{group}"], arrays.get(f"bias:{group}")
            if coef.ndim != 1 or bias is None or bias.shape != () or not np.isfinite([*coef, bias]).all():
                log.warning("fusion cache: %s holds no usable weights for %r; learning again", path, group)
                return None
            weights[group] = (coef.astype(np.float64), float(bias))
        if "all" not in weights or len({len(coef) for coef, _ in weights.values()}) != 1:
            log.warning("fusion cache: %s holds no usable weights; learning again", path)
            return None
        return weights

    def put(self, key: str, weights: Mapping[str, tuple[NDArray[np.float64], float]]) -> None:
        arrays: dict[str, Any] = {}
        for group, (coef, bias) in weights.items():
            arrays[f"coef:{group}"] = np.asarray(coef, dtype=np.float64)
            arrays[f"bias:{group}"] = np.asarray(bias, dtype=np.float64)
        _write_atomically(self.path_for(key), lambda out: np.savez(out, **arrays))


def _write_atomically(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    except OSError as exc:
        log.warning("cache: cannot write in %s (%s); not cached", path.parent, exc)
        return
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        log.warning("cache: cannot write %s (%s); not cached", path, exc)
        Path(temporary).unlink(missing_ok=True)


class CachedExamples:
    """An encoder whose ``encode_examples`` reads the knowledge base's vectors from the cache
    (keyed by the model's files and the texts) instead of computing them at every start."""

    def __init__(self, encoder: Any, cache: Any) -> None:
        self.encoder = encoder
        self.cache = cache

    def encode(self, texts: Sequence[str]) -> Any:
        return self.encoder.encode(texts)

    def encode_examples(self, texts: Sequence[str]) -> Any:
        return self.cache.get_or_compute(self.encoder, list(texts))
