"""The examples' embeddings on disk, so that a restart does not encode them again.

One ``.npy`` file per (encoder, list of texts): the name is a digest of the encoder's
``identity`` and of the texts in order, so a changed model, prefix or knowledge base misses and
is encoded afresh. A file is written to a temporary name and renamed (readers never see half of
one), created readable by its owner only; a file that cannot be read, or holds the wrong shape,
is encoded again and replaced. The cache never stops the advisor: when the directory cannot be
written, the vectors are returned all the same and a warning is logged.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

__all__ = ["CachedExamples", "EmbeddingCache", "TextEncoder"]

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
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
        except OSError as exc:
            log.warning("embedding cache: cannot write in %s (%s); not cached", self.directory, exc)
            return
        try:
            with os.fdopen(handle, "wb") as out:
                np.save(out, vectors, allow_pickle=False)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except OSError as exc:
            log.warning("embedding cache: cannot write %s (%s); not cached", path, exc)
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
